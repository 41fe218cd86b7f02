/**
 * Refunds asked for: by a customer (a PAID order, before shipment), by an approved after-sales
 * request, and by the order service for a payment it could not take. Each is one row per
 * (order, request id), really inserted: a concurrent or repeated request with the same id
 * finds that row and never starts a second refund; with another body it is refused
 * (IDEMPOTENCY_KEY_REUSED). A request without an id is a new refund each time (a server-made
 * id). The rows are carried out by refund-runner.ts.
 */
import { createHash } from 'node:crypto';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import { normaliseLines, type OrderAfterSalesApprovedEvent, type OrderPaymentRejectedEvent } from '@shop/contracts';
import type { OrderReader, PaymentRepository, PaymentRow, RefundKind, RefundLine, RefundRow, RefundStatus } from './ports';
import { runRefund, type RefundRunnerDeps, type StepHook } from './refund-runner';

export interface RefundRequestDeps extends RefundRunnerDeps, OrderReader {}

export interface RefundView {
  refundId: string;
  orderId: string;
  status: RefundStatus;
  kind: RefundKind;
  amount: string;
  alipayAmount: string;
  balanceAmount: string;
  points: string;
  items: RefundLine[];
  reason: string;
  failureReason: string;
  createdAt: string;
  finishedAt: string;
}

const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;
const money = (amount: string) => formatCents(parseCents(amount)!);

export function toRefundView(row: RefundRow): RefundView {
  const held = row.held_at !== null;
  return {
    refundId: row.id,
    orderId: row.order_id,
    status: row.status,
    kind: row.kind,
    amount: held ? money(row.amount) : row.requested_amount,
    alipayAmount: money(row.alipay_amount),
    balanceAmount: money(row.balance_amount),
    points: row.points,
    items: JSON.parse((held ? row.restock : row.items) ?? '[]') as RefundLine[],
    reason: row.reason,
    failureReason: row.failure_reason ?? (row.status === 'PENDING' ? (row.last_error ?? '') : ''),
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? '',
  };
}

/** What makes two requests with one id the same request. */
function requestHash(request: { amount: string; reason: string; items: RefundLine[] }): string {
  return createHash('sha256')
    .update(JSON.stringify([request.amount, request.reason, request.items]))
    .digest('hex');
}

export interface CustomerRefundInput {
  requestId: string;
  orderId: string;
  userId: string;
  amount: string;
  reason: string;
  items: RefundLine[];
}

/**
 * A customer's refund of her PAID order. Answers the refund as it stands after running it
 * (SUCCEEDED; PENDING when a step must wait, and the pay service finishes it; FAILED when
 * Alipay refused), or the refusal.
 */
export async function requestRefund(deps: RefundRequestDeps, input: CustomerRefundInput, hook?: StepHook): Promise<RefundView | DomainError> {
  if (!isSnowflakeId(input.orderId) || !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  if (input.requestId && !REQUEST_ID.test(input.requestId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid request id');
  const reason = input.reason.trim().slice(0, 200);
  if (!reason) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a reason is required');
  const amount = input.amount ? parseCents(input.amount) : undefined;
  if (input.amount && (amount === undefined || amount <= 0n))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'amount must be a positive decimal with at most two places');
  const items = input.items.length ? normaliseLines(input.items) : [];
  if (items instanceof DomainError) return items;
  const request = { amount: amount === undefined ? '' : formatCents(amount), reason, items: items.map(({ goodsId, quantity }) => ({ goodsId, quantity })) };
  const hash = requestHash(request);

  // A row another request with the same id created, then deleted when the order service refused
  // its hold, leaves the outcome unknown here: asking once more from the start meets the same
  // refusal (or, the cause gone, makes the refund).
  const first = await attempt(deps, input, request, hash, hook);
  if (first !== VANISHED) return first;
  const second = await attempt(deps, input, request, hash, hook);
  return second !== VANISHED ? second : new DomainError(ErrorCode.REFUND_IN_PROGRESS, 'this refund request could not be settled; try again');
}

/** The refund request's row vanished meanwhile (see requestRefund). */
const VANISHED = Symbol('vanished');

async function attempt(
  deps: RefundRequestDeps,
  input: CustomerRefundInput,
  request: { amount: string; reason: string; items: RefundLine[] },
  hash: string,
  hook: StepHook | undefined,
): Promise<RefundView | DomainError | typeof VANISHED> {
  const { refunds } = deps;
  const amount = request.amount ? parseCents(request.amount) : undefined;
  const repeat = async (): Promise<RefundView | DomainError | typeof VANISHED | undefined> => {
    const earlier = input.requestId ? await refunds.findByRequest(input.orderId, input.requestId) : undefined;
    if (!earlier) return undefined;
    if (earlier.user_id !== input.userId) return new DomainError(ErrorCode.NOT_FOUND, `order ${input.orderId} not found`);
    if (earlier.kind !== 'CUSTOMER' || earlier.request_hash !== hash)
      return new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for another refund request');
    const resumed = await resume(deps, earlier.id, hook);
    return resumed instanceof DomainError || resumed === VANISHED ? resumed : toRefundView(resumed);
  };
  const earlier = await repeat();
  if (earlier) return earlier;

  // Quick refusals that need no row (the order service's hold decides for good, under lock).
  const order = await deps.readOrder(input.orderId, input.userId);
  if (order.status !== 'PAID') {
    const shipped = order.status === 'SHIPPED' || order.status === 'COMPLETED';
    return new DomainError(
      ErrorCode.ORDER_STATE,
      shipped ? `order is ${order.status}; after shipment, open an after-sales request` : `order is ${order.status}; only paid orders can be refunded`,
    );
  }
  if ((await refunds.pendingOfOrder(order.orderId)).length > 0) {
    // Perhaps this very request, sent concurrently with the same id and inserted meanwhile.
    return (await repeat()) ?? new DomainError(ErrorCode.REFUND_IN_PROGRESS, 'another refund of this order is in progress; try again when it has finished');
  }
  const left = parseCents(order.payAmount)! + parseCents(order.balancePaid)! - parseCents(order.refundedAmount)!;
  if (amount !== undefined && amount > left) return new DomainError(ErrorCode.INVALID_ARGUMENT, `at most ${formatCents(left)} can still be refunded`);

  const id = deps.ids.next();
  const payment = await keptPayment(deps.store, order.orderId, order.paymentId);
  const inserted = await refunds.insert({
    id,
    requestId: input.requestId || id,
    orderId: order.orderId,
    paymentId: payment?.id ?? null,
    userId: order.userId,
    kind: 'CUSTOMER',
    requestedAmount: request.amount,
    requestHash: hash,
    items: request.items,
    reason: request.reason,
    afterSalesId: null,
    leaseMs: deps.leaseMs,
  });
  // Not inserted: a concurrent request with the same id won; it is the refund (or it vanished).
  if (!inserted) return (await repeat()) ?? VANISHED;
  const outcome = await runRefund(deps, id, hook);
  return 'refused' in outcome ? outcome.refused : toRefundView(outcome.row);
}

/**
 * A refund that exists already: carried on if nobody runs it (its lease expired), else awaited
 * a while (another request or instance runs it right now), then answered as it stands.
 */
async function resume(deps: RefundRunnerDeps, refundId: string, hook?: StepHook): Promise<RefundRow | DomainError | typeof VANISHED> {
  if (await deps.refunds.claim(refundId, deps.leaseMs)) {
    const outcome = await runRefund(deps, refundId, hook);
    // Refused: the order service refused the hold, and the runner deleted the unheld row.
    return 'row' in outcome ? outcome.row : outcome.refused;
  }
  const until = Date.now() + 10_000;
  for (;;) {
    const row = await deps.refunds.find(refundId);
    // Deleted by the request that runs it, whose hold was refused.
    if (!row) return VANISHED;
    if (row.status !== 'PENDING' || Date.now() > until) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const MAX_PAGE_SIZE = 100;

/**
 * The refunds of an order, oldest first (its owner's, or any order's for an admin: userId '');
 * for an admin without an order id, every refund, newest first, a page at a time.
 */
export async function listRefunds(
  deps: Pick<RefundRequestDeps, 'refunds' | 'readOrder'>,
  input: { orderId: string; userId: string; status?: RefundStatus; page?: number; size?: number },
): Promise<{ refunds: RefundView[]; total: number } | DomainError> {
  if (!input.orderId && !input.userId) {
    const page = input.page || 1;
    const size = input.size || 20;
    if (page < 1 || page > 10_000 || size < 1 || size > MAX_PAGE_SIZE)
      return new DomainError(ErrorCode.INVALID_ARGUMENT, `page must be 1 to 10000 and size 1 to ${MAX_PAGE_SIZE}`);
    const { rows, total } = await deps.refunds.listAll(input.status, (page - 1) * size, size);
    return { refunds: rows.map(toRefundView), total };
  }
  if (!isSnowflakeId(input.orderId) || (input.userId && !isSnowflakeId(input.userId)))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  await deps.readOrder(input.orderId, input.userId);
  const refunds = (await deps.refunds.listOfOrder(input.orderId)).map(toRefundView);
  return { refunds, total: refunds.length };
}

/**
 * The payment the order took: the one the order names, else (orders paid before it was recorded,
 * or the event not saying) the first of its payments that was paid. A payment of another channel
 * landing after it was rejected by the order and refunded on its own.
 */
async function keptPayment(store: PaymentRepository, orderId: string, paymentId?: string): Promise<PaymentRow | undefined> {
  if (paymentId) return store.findPayment(paymentId);
  const paid = (await store.listOfOrder(orderId)).filter((payment) => payment.status === 'PAID' || payment.status === 'REFUNDED');
  return paid.sort((a, b) => (a.paid_at?.getTime() ?? 0) - (b.paid_at?.getTime() ?? 0))[0];
}

/** An admin approved an after-sales request (order.after-sales-approved): its refund, once. */
export async function refundAfterSales(deps: RefundRunnerDeps, approved: OrderAfterSalesApprovedEvent): Promise<RefundRow> {
  const payment = await keptPayment(deps.store, approved.orderId);
  return startSystemRefund(deps, {
    requestId: `after-sales:${approved.afterSalesId}`,
    orderId: approved.orderId,
    userId: approved.userId,
    paymentId: payment?.id ?? null,
    kind: 'AFTER_SALES',
    requestedAmount: approved.amount,
    reason: approved.reason,
    afterSalesId: approved.afterSalesId,
  });
}

/** The order service rejected a payment (order.payment-rejected): all of it back through its channel, once. */
export async function refundRejectedPayment(deps: RefundRunnerDeps, rejected: OrderPaymentRejectedEvent): Promise<RefundRow | undefined> {
  const payment = await deps.store.findPayment(rejected.paymentId);
  if (!payment) return undefined;
  return startSystemRefund(deps, {
    requestId: `payment-rejected:${payment.id}`,
    orderId: payment.order_id,
    userId: payment.user_id,
    paymentId: payment.id,
    kind: 'PAYMENT_REJECTED',
    requestedAmount: payment.amount,
    reason: ['PAID', 'SHIPPED', 'COMPLETED', 'REFUNDED'].includes(rejected.orderStatus)
      ? 'the order was paid by another payment'
      : `paid after the order was ${rejected.orderStatus.toLowerCase()}`,
    afterSalesId: null,
    plan: { amount: payment.amount, alipayAmount: payment.amount, balanceAmount: '0', points: '0', restock: [], releaseCoupon: false, completesOrder: false },
  });
}

async function startSystemRefund(
  deps: RefundRunnerDeps,
  refund: Omit<Parameters<RefundRunnerDeps['refunds']['insert']>[0], 'id' | 'requestHash' | 'items' | 'leaseMs'>,
): Promise<RefundRow> {
  const id = deps.ids.next();
  if (await deps.refunds.insert({ ...refund, id, requestHash: '', items: [], leaseMs: deps.leaseMs })) {
    const outcome = await runRefund(deps, id);
    if ('row' in outcome) return outcome.row;
  }
  // Delivered again: the refund exists; whoever holds it, or the sweeper, finishes it.
  const earlier = (await deps.refunds.findByRequest(refund.orderId, refund.requestId))!;
  if (earlier.status !== 'PENDING') return earlier;
  const resumed = await resume(deps, earlier.id);
  // Only a customer's refund is refused and deleted at its hold; a system refund ends FAILED.
  if (resumed instanceof DomainError || resumed === VANISHED) throw new Error(`system refund ${earlier.id} was refused or deleted`);
  return resumed;
}
