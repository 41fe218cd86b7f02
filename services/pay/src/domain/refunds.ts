/**
 * Refunds of paid orders, full or partial, keyed by the caller's request id. The amount is split:
 * first what was paid through Alipay (alipay.trade.refund with the refund id as out_request_no),
 * then the balance (user.RefundBalance keyed by the refund id); points go back as
 * floor(amount). The refund row is written first (PENDING); every step is idempotent, so asking
 * again with the same request id finishes a refund that was interrupted.
 */
import { AppError, DomainError, enqueueEvent, ErrorCode, formatCents, isSnowflakeId, minCents, parseCents, Tags, Topics, type SnowflakeGenerator } from '@shop/common';
import { AlipayRefusal, type AlipayClient } from '../alipay/alipay-client';
import type { PaymentRow, PayStore, RefundRow } from '../store/pay-store';
import type { OrderFacts } from './payments';

export interface RefundDeps {
  store: PayStore;
  ids: SnowflakeGenerator;
  alipay: AlipayClient;
  readOrder(orderId: string, userId: string): Promise<OrderFacts>;
  refundBalance(input: { orderId: string; userId: string; refundId: string; amount: string }): Promise<void>;
  deductPoints(input: { refundId: string; orderId: string; userId: string; points: string }): Promise<void>;
}

const REFUNDABLE = new Set(['PAID', 'SHIPPED', 'COMPLETED']);

export async function refund(deps: RefundDeps, input: { requestId: string; orderId: string; userId: string; amount: string; reason: string }): Promise<{ refundId: string; status: string } | DomainError> {
  const { store, ids } = deps;
  if (!isSnowflakeId(input.orderId) || !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  const requestId = input.requestId || `full-${input.orderId}`;
  if (!/^[\x21-\x7e]{1,64}$/.test(requestId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid request id');
  const reason = input.reason.trim().slice(0, 200);
  if (!reason) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a reason is required');
  const order = await deps.readOrder(input.orderId, input.userId);

  const earlier = await store.findRefund(order.orderId, requestId);
  if (earlier) return finish(deps, order, earlier);
  if (!REFUNDABLE.has(order.status)) return new DomainError(ErrorCode.ORDER_STATE, `order is ${order.status}; only paid orders can be refunded`);

  const payment = await store.findByOrder(order.orderId);
  const refundable = parseCents(order.payAmount)! + parseCents(order.balancePaid)!;
  const created = await store.transaction(async (tx) => {
    const done = await store.refundedOfOrder(tx, order.orderId);
    const left = refundable - parseCents(done.total)!;
    const amount = input.amount ? parseCents(input.amount) : left;
    if (amount === undefined || amount <= 0n) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'amount must be a positive decimal with at most two places');
    if (amount > left) return new DomainError(ErrorCode.INVALID_ARGUMENT, `at most ${formatCents(left)} can still be refunded`);
    const alipayLeft = payment ? parseCents(payment.amount)! - parseCents(done.alipay)! : 0n;
    const alipayPart = minCents(amount, alipayLeft);
    const row = {
      id: ids.next(),
      request_id: requestId,
      order_id: order.orderId,
      amount: formatCents(amount),
      alipay_amount: formatCents(alipayPart),
      balance_amount: formatCents(amount - alipayPart),
      // floor(amount) each time, and whatever is left of the order's points by the last refund.
      points: (amount === left ? refundable / 100n - BigInt(done.points) : amount / 100n).toString(),
    };
    await store.insertRefund(tx, { ...row, paymentId: payment?.id ?? null, userId: order.userId, reason });
    return row;
  });
  if (created instanceof DomainError) return created;
  return finish(deps, order, { ...created, status: 'PENDING' });
}

/** Runs (or resumes) the steps of a refund; each is idempotent by the refund id. */
async function finish(deps: RefundDeps, order: OrderFacts, row: RefundRow): Promise<{ refundId: string; status: string }> {
  const { store, ids } = deps;
  if (row.status === 'SUCCEEDED') return { refundId: row.id, status: row.status };
  const payment = await store.findByOrder(order.orderId);
  if (parseCents(row.alipay_amount)! > 0n) await refundAtAlipay(deps, payment!, row);
  if (parseCents(row.balance_amount)! > 0n) await deps.refundBalance({ orderId: order.orderId, userId: order.userId, refundId: row.id, amount: row.balance_amount });
  if (row.points !== '0') await deps.deductPoints({ refundId: row.id, orderId: order.orderId, userId: order.userId, points: row.points });
  await store.finishRefund(row.id);
  const refundable = parseCents(order.payAmount)! + parseCents(order.balancePaid)!;
  await store.transaction(async (tx) => {
    const done = await store.refundedOfOrder(tx, order.orderId);
    if (parseCents(done.total) === refundable) {
      // Fully refunded: the order service marks the order REFUNDED (once: keyed by order id).
      await enqueueEvent(store.sequelize, tx, ids.next(), { topic: Topics.PAY_EVENTS, tag: Tags.PAY_REFUNDED, keys: [order.orderId], body: { orderId: order.orderId } });
    }
  });
  return { refundId: row.id, status: 'SUCCEEDED' };
}

async function refundAtAlipay(deps: RefundDeps, payment: PaymentRow, row: RefundRow): Promise<void> {
  const result = await deps.alipay.refund({ outTradeNo: payment.id, refundId: row.id, amount: row.alipay_amount, reason: 'refund' });
  if (result instanceof AlipayRefusal) throw new AppError(ErrorCode.UNAVAILABLE, `Alipay refused the refund: ${result.subCode}`);
  await deps.store.transaction(async (tx) => {
    if (result.fundChange || parseCents(payment.refunded_amount)! < parseCents(result.refunded)!) {
      await deps.store.addRefunded(tx, payment.id, row.alipay_amount);
    }
    const now = await deps.store.findPayment(payment.id, tx);
    if (now && now.refunded_amount === now.amount) await deps.store.transition(tx, payment.id, ['PAID'], 'REFUNDED');
    await deps.store.log(tx, { id: deps.ids.next(), paymentId: payment.id, orderId: payment.order_id, event: `REFUND ${row.id}`, amount: row.alipay_amount, detail: 'refunded through Alipay' });
  });
}
