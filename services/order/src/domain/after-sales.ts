/**
 * After-sales requests: after shipment a customer no longer refunds an order by herself; she asks
 * (reason, optionally an amount) within the after-sales window, and an admin approves (the pay
 * service refunds through the order's refund rules, refund-holds.ts) or rejects it.
 *
 *   OPEN -> APPROVED -> REFUNDED | REFUND_FAILED
 *   OPEN -> REJECTED
 *
 * The window: while the order is SHIPPED (not yet received), and until ORDER_AFTER_SALES_DAYS
 * after it COMPLETED (receipt confirmed, or completed automatically). One request of an order is
 * handled at a time. No stock comes back after shipment: the goods are with the customer, and
 * whether they are returned is the warehouse's business, outside this system.
 */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode, refusable, refuse } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import type { AfterSalesRow, AfterSalesStatus, OrderRepository, RefundHoldRepository } from './ports';
import { afterSalesApproved } from './order-events';

export interface AfterSalesDeps {
  store: OrderRepository;
  refunds: RefundHoldRepository;
  ids: SnowflakeGenerator;
  /** ORDER_AFTER_SALES_DAYS. */
  windowDays: number;
}

export interface AfterSalesView {
  afterSalesId: string;
  orderId: string;
  userId: string;
  status: AfterSalesStatus;
  reason: string;
  amount: string;
  decidedBy: string;
  note: string;
  refundId: string;
  createdAt: string;
  decidedAt: string;
}

const DAY_MS = 86_400_000;
const KEY = /^[\x21-\x7e]{1,64}$/;

export const toAfterSalesView = (row: AfterSalesRow): AfterSalesView => ({
  afterSalesId: row.id,
  orderId: row.order_id,
  userId: row.user_id,
  status: row.status,
  reason: row.reason,
  amount: row.amount === null ? '' : formatCents(parseCents(row.amount)!),
  decidedBy: row.decided_by ?? '',
  note: row.note ?? '',
  refundId: row.refund_id ?? '',
  createdAt: row.created_at.toISOString(),
  decidedAt: row.decided_at?.toISOString() ?? '',
});

const sameRequest = (row: AfterSalesRow, input: { orderId: string; reason: string; amount: string }) =>
  row.order_id === input.orderId &&
  row.reason === input.reason &&
  (row.amount === null ? '' : formatCents(parseCents(row.amount)!)) === (input.amount ? formatCents(parseCents(input.amount)!) : '');

/** The customer asks for a refund of a shipped or completed order of hers. */
export async function openAfterSales(
  deps: AfterSalesDeps,
  input: { orderId: string; userId: string; reason: string; amount: string; idempotencyKey: string },
): Promise<AfterSalesView | DomainError> {
  if (!isSnowflakeId(input.orderId) || !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  const reason = input.reason.trim().slice(0, 200);
  if (!reason) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a reason is required');
  const amount = input.amount ? parseCents(input.amount) : undefined;
  if (input.amount && (amount === undefined || amount <= 0n))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'amount must be a positive decimal with at most two places');
  if (input.idempotencyKey && !KEY.test(input.idempotencyKey))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'idempotency key must be 1 to 64 visible ASCII characters');
  const repeat = async (): Promise<AfterSalesView | DomainError | undefined> => {
    const earlier = input.idempotencyKey ? await deps.refunds.findAfterSalesByKey(input.userId, input.idempotencyKey) : undefined;
    if (!earlier) return undefined;
    return sameRequest(earlier, { ...input, reason })
      ? toAfterSalesView(earlier)
      : new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for another request');
  };
  const earlier = await repeat();
  if (earlier) return earlier;

  const id = deps.ids.next();
  const created = await withDeadlockRetry(() =>
    refusable(
      deps.store.transaction(async (tx) => {
        const order = await deps.store.lockOrder(tx, input.orderId);
        if (!order || order.user_id !== input.userId) return refuse(ErrorCode.NOT_FOUND, `order ${input.orderId} not found`);
        if (order.status === 'PAID') refuse(ErrorCode.ORDER_STATE, 'order is PAID and not shipped: refund it directly');
        if (order.status !== 'SHIPPED' && order.status !== 'COMPLETED')
          refuse(ErrorCode.ORDER_STATE, `order is ${order.status}; after-sales requests are for shipped orders`);
        if (order.status === 'COMPLETED' && order.completed_at && order.completed_at.getTime() + deps.windowDays * DAY_MS < Date.now()) {
          refuse(ErrorCode.ORDER_STATE, `the after-sales window of this order closed ${deps.windowDays} days after it completed`);
        }
        if ((await deps.refunds.activeAfterSalesOf(tx, order.id)).length > 0)
          refuse(ErrorCode.REFUND_IN_PROGRESS, 'an after-sales request of this order is being handled');
        const left = parseCents(order.pay_amount)! + parseCents(order.balance_paid)! - parseCents(order.refunded_amount)!;
        if (left <= 0n) refuse(ErrorCode.ORDER_STATE, 'nothing is left to refund on this order');
        if (amount !== undefined && amount > left) refuse(ErrorCode.INVALID_ARGUMENT, `at most ${formatCents(left)} can still be refunded`);
        const inserted = await deps.refunds.insertAfterSales(tx, {
          id,
          orderId: order.id,
          userId: input.userId,
          reason,
          amount: amount === undefined ? null : formatCents(amount),
          idempotencyKey: input.idempotencyKey || null,
        });
        return inserted ? toAfterSalesView((await deps.refunds.findAfterSales(id, tx))!) : undefined;
      }),
    ),
  );
  // Not inserted: a concurrent request with the same key won.
  return created ?? (await repeat())!;
}

/** The requests of one order (its owner, or an admin with no user id), or of every order (admin). */
export async function listAfterSales(
  deps: AfterSalesDeps,
  input: { orderId: string; userId: string; status: AfterSalesStatus | undefined; page: number; size: number },
): Promise<{ items: AfterSalesView[]; total: number } | DomainError> {
  if (input.orderId && !isSnowflakeId(input.orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  if (input.userId) {
    const order = input.orderId ? await deps.store.findOrder(input.orderId) : undefined;
    if (!order || order.user_id !== input.userId) return new DomainError(ErrorCode.NOT_FOUND, `order ${input.orderId} not found`);
  }
  const page = input.page || 1;
  const size = input.size || 20;
  if (page < 1 || page > 10_000 || size < 1 || size > 100) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'page must be 1 to 10000 and size 1 to 100');
  const { rows, total } = await deps.refunds.listAfterSales({ orderId: input.orderId || undefined, status: input.status }, (page - 1) * size, size);
  return { items: rows.map(toAfterSalesView), total };
}

/**
 * An admin approves (order.after-sales-approved, in the same transaction: the pay service
 * refunds) or rejects an OPEN request. Deciding the same way again answers the request as it is.
 */
export async function decideAfterSales(
  deps: AfterSalesDeps,
  input: { afterSalesId: string; operatorId: string; approve: boolean; note: string },
): Promise<AfterSalesView | DomainError> {
  if (!isSnowflakeId(input.afterSalesId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid after-sales id');
  if (input.operatorId && !isSnowflakeId(input.operatorId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid operator id');
  const note = input.note.trim().slice(0, 200);
  const to: AfterSalesStatus = input.approve ? 'APPROVED' : 'REJECTED';
  return deps.store.transaction(async (tx) => {
    const row = await deps.refunds.findAfterSales(input.afterSalesId, tx);
    if (!row) return new DomainError(ErrorCode.NOT_FOUND, `after-sales request ${input.afterSalesId} not found`);
    const decidedBy = input.operatorId ? `admin:${input.operatorId}` : 'system:admin';
    if (await deps.refunds.moveAfterSales(tx, row.id, ['OPEN'], to, { decidedBy, note })) {
      if (input.approve) {
        await deps.store.enqueue(
          tx,
          deps.ids.next(),
          afterSalesApproved({
            afterSalesId: row.id,
            orderId: row.order_id,
            userId: row.user_id,
            amount: row.amount === null ? '' : formatCents(parseCents(row.amount)!),
            reason: row.reason,
          }),
        );
      }
      return toAfterSalesView((await deps.refunds.findAfterSales(row.id, tx))!);
    }
    const decidedAlready = input.approve ? ['APPROVED', 'REFUNDED', 'REFUND_FAILED'].includes(row.status) : row.status === 'REJECTED';
    return decidedAlready ? toAfterSalesView(row) : new DomainError(ErrorCode.AFTER_SALES_STATE, `the request is ${row.status}`);
  });
}
