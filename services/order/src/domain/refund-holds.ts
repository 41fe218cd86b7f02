/**
 * The order's side of refunds. The pay service moves the money; the order decides, before any
 * money moves, whether a refund may happen and what it gives back, and records that decision as
 * a hold (order_refund) under the order's row lock:
 *
 * - a customer refunds a PAID order (not shipped); after shipment only an approved after-sales
 *   request refunds (SHIPPED or COMPLETED);
 * - one refund of an order at a time: a hold is OPEN until the pay service says the refund
 *   ended (pay.refund-finished), and the order cannot ship while one is OPEN (shipping takes the
 *   same row lock), so "before shipment" stays true for the whole refund;
 * - never more than the order was paid (Alipay part + balance part, counted from the holds that
 *   succeeded): the Alipay part first, up to what the order paid there;
 * - points back as floor(amount), and whatever is left of the order's points by the refund that
 *   completes it;
 * - before shipment, the stock of the lines the refund names comes back (all of what is left by
 *   a full refund), and a full refund frees the coupon.
 *
 * The order becomes REFUNDED when the refund that completes it succeeded, and only then.
 */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode, refusable, refuse } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, minCents, parseCents } from '@shop/common/money';
import { normaliseLines, type RefundLine, type RefundShares } from '@shop/contracts';
import type { Transaction } from 'sequelize';
import type { HoldKind, HoldRow, OrderRepository, OrderRow, RefundHoldRepository } from './ports';
import { pointsOf } from './order-events';

export interface HoldDeps {
  store: OrderRepository;
  refunds: RefundHoldRepository;
  ids: SnowflakeGenerator;
}

export interface HoldRequest {
  refundId: string;
  orderId: string;
  /** The owner, for a customer's refund; empty for an after-sales refund. */
  userId: string;
  kind: HoldKind;
  /** Empty: everything left. */
  amount: string;
  lines: RefundLine[];
  afterSalesId: string;
}

/** The refund's shares with whose refund it is: what HoldRefund answers the pay service. */
export interface RefundPlan extends RefundShares {
  refundId: string;
  orderId: string;
  userId: string;
}

const planOf = (hold: HoldRow, userId: string): RefundPlan => ({
  refundId: hold.refund_id,
  orderId: hold.order_id,
  userId,
  amount: hold.amount,
  alipayAmount: hold.alipay_amount,
  balanceAmount: hold.balance_amount,
  points: hold.points,
  restock: JSON.parse(hold.restock) as RefundLine[],
  releaseCoupon: hold.release_coupon === 1,
  completesOrder: hold.completes_order === 1,
});

/**
 * Checks a refund against the order's rules and records its hold; answers the plan the pay
 * service executes. Idempotent by refund id: asking again answers the same plan.
 */
export async function holdRefund(deps: HoldDeps, request: HoldRequest): Promise<RefundPlan | DomainError> {
  const invalid = validate(request);
  if (invalid) return invalid;
  const result = await withDeadlockRetry(() =>
    refusable(
      deps.store.transaction(async (tx) => {
        const order = await deps.store.lockOrder(tx, request.orderId);
        // Another user's order answers like a missing one.
        if (!order || (request.userId && order.user_id !== request.userId)) return refuse(ErrorCode.NOT_FOUND, `order ${request.orderId} not found`);
        const existing = await deps.refunds.findHold(request.refundId, tx);
        if (existing)
          return existing.order_id === order.id ? planOf(existing, order.user_id) : refuse(ErrorCode.INVALID_ARGUMENT, 'refund id used for another order');
        const hold = await planHold(deps, tx, order, request);
        await deps.refunds.insertHold(tx, hold);
        if (hold.after_sales_id) await deps.refunds.moveAfterSales(tx, hold.after_sales_id, ['APPROVED'], 'APPROVED', { refundId: hold.refund_id });
        return planOf({ ...hold, status: 'OPEN' }, order.user_id);
      }),
    ),
  );
  if (result instanceof DomainError && request.kind === 'AFTER_SALES' && result.code !== ErrorCode.REFUND_IN_PROGRESS) {
    // The approved request cannot be refunded (the order moved on): it says so, for good.
    await deps.store.transaction((tx) => deps.refunds.moveAfterSales(tx, request.afterSalesId, ['APPROVED'], 'REFUND_FAILED', { note: result.message }));
  }
  return result;
}

function validate(request: HoldRequest): DomainError | undefined {
  if (!isSnowflakeId(request.refundId) || !isSnowflakeId(request.orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid refund or order id');
  if (request.userId && !isSnowflakeId(request.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (request.amount && parseCents(request.amount) === undefined)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'amount must be a decimal with at most two places');
  if (request.kind === 'AFTER_SALES' && (!isSnowflakeId(request.afterSalesId) || request.lines.length > 0)) {
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'an after-sales refund names its request and gives no stock back');
  }
  if (request.kind === 'CUSTOMER' && !request.userId) return new DomainError(ErrorCode.INVALID_ARGUMENT, "a customer's refund names the customer");
  return undefined;
}

/** The hold a refund of this order may have, or a refusal (thrown). */
async function planHold(deps: HoldDeps, tx: Transaction, order: OrderRow, request: HoldRequest): Promise<Omit<HoldRow, 'status'>> {
  const beforeShipment = request.kind === 'CUSTOMER';
  if (beforeShipment && order.status !== 'PAID') {
    const after = order.status === 'SHIPPED' || order.status === 'COMPLETED';
    refuse(
      ErrorCode.ORDER_STATE,
      after ? `order is ${order.status}; after shipment, open an after-sales request` : `order is ${order.status}; only paid orders can be refunded`,
    );
  }
  if (!beforeShipment) {
    if (order.status !== 'SHIPPED' && order.status !== 'COMPLETED')
      refuse(ErrorCode.ORDER_STATE, `order is ${order.status}; after-sales refunds are for shipped orders`);
    const afterSales = await deps.refunds.findAfterSales(request.afterSalesId, tx);
    if (afterSales?.order_id !== order.id || afterSales.status !== 'APPROVED')
      refuse(ErrorCode.AFTER_SALES_STATE, 'the after-sales request is not approved for this order');
  }
  const holds = await deps.refunds.holdsOf(tx, order.id);
  if (holds.some((hold) => hold.status === 'OPEN'))
    refuse(ErrorCode.REFUND_IN_PROGRESS, 'another refund of this order is in progress; try again when it has finished');
  const done = holds.filter((hold) => hold.status === 'SUCCEEDED');
  const sum = (pick: (hold: HoldRow) => string) => done.reduce((total, hold) => total + parseCents(pick(hold))!, 0n);

  const refundable = parseCents(order.pay_amount)! + parseCents(order.balance_paid)!;
  const left = refundable - sum((hold) => hold.amount);
  const amount = request.amount ? parseCents(request.amount)! : left;
  // A zero refund only for an order nothing was paid for (coupon only): it gives back stock and coupon.
  if (amount < 0n || (amount === 0n && refundable > 0n)) refuse(ErrorCode.INVALID_ARGUMENT, 'amount must be positive');
  if (left === 0n && refundable > 0n) refuse(ErrorCode.ORDER_STATE, 'the order was refunded in full already');
  if (amount > left) refuse(ErrorCode.INVALID_ARGUMENT, `at most ${formatCents(left)} can still be refunded`);
  const completes = amount === left;

  const alipay = minCents(amount, parseCents(order.pay_amount)! - sum((hold) => hold.alipay_amount));
  const pointsLeft = pointsOf(order) - done.reduce((total, hold) => total + BigInt(hold.points), 0n);
  const points = completes ? pointsLeft : minCents(amount / 100n, pointsLeft);
  const restock = beforeShipment ? await restockLines(deps, tx, order.id, done, request.lines, completes) : [];
  return {
    refund_id: request.refundId,
    order_id: order.id,
    kind: request.kind,
    amount: formatCents(amount),
    alipay_amount: formatCents(alipay),
    balance_amount: formatCents(amount - alipay),
    points: points.toString(),
    restock: JSON.stringify(restock),
    release_coupon: beforeShipment && completes && order.coupon_id !== null ? 1 : 0,
    completes_order: completes ? 1 : 0,
    after_sales_id: beforeShipment ? null : request.afterSalesId,
  };
}

/**
 * The stock a refund before shipment gives back: the lines it names, within what the order took
 * less what earlier refunds gave back; a full refund gives back all of that.
 */
async function restockLines(deps: HoldDeps, tx: Transaction, orderId: string, done: HoldRow[], asked: RefundLine[], completes: boolean): Promise<RefundLine[]> {
  const left = new Map((await deps.store.itemsOf([orderId], tx)).map((item) => [item.goods_id, item.quantity]));
  for (const hold of done) {
    for (const line of JSON.parse(hold.restock) as RefundLine[]) left.set(line.goodsId, (left.get(line.goodsId) ?? 0) - line.quantity);
  }
  if (completes) return [...left].filter(([, quantity]) => quantity > 0).map(([goodsId, quantity]) => ({ goodsId, quantity }));
  if (asked.length === 0) return [];
  const lines = normaliseLines(asked);
  if (lines instanceof DomainError) refuse(lines);
  for (const line of lines) {
    if (line.quantity > (left.get(line.goodsId) ?? 0))
      refuse(ErrorCode.INVALID_ARGUMENT, `the order has at most ${Math.max(left.get(line.goodsId) ?? 0, 0)} of goods ${line.goodsId} left to give back`);
  }
  return lines.map(({ goodsId, quantity }) => ({ goodsId, quantity }));
}

/**
 * The pay service finished a refund (pay.refund-finished), inside the consumer's transaction:
 * the hold ends; a succeeded refund counts in the order's refunded amount, and the one that
 * completes the order makes it REFUNDED; its after-sales request says how it ended.
 */
export async function finishRefundWithin(
  deps: HoldDeps,
  tx: Transaction,
  finished: { refundId: string; status: 'SUCCEEDED' | 'FAILED'; reason: string },
): Promise<'FINISHED' | 'REPEAT' | 'UNKNOWN'> {
  const hold = await deps.refunds.findHold(finished.refundId, tx);
  if (!hold) return 'UNKNOWN';
  if (!(await deps.refunds.finishHold(tx, hold.refund_id, finished.status, finished.reason))) return 'REPEAT';
  if (hold.after_sales_id) {
    await deps.refunds.moveAfterSales(
      tx,
      hold.after_sales_id,
      ['APPROVED'],
      finished.status === 'SUCCEEDED' ? 'REFUNDED' : 'REFUND_FAILED',
      finished.status === 'FAILED' ? { note: finished.reason } : {},
    );
  }
  if (finished.status === 'SUCCEEDED') {
    await deps.refunds.addRefunded(tx, hold.order_id, hold.amount);
    if (hold.completes_order === 1) {
      await deps.store.transition(tx, hold.order_id, 'refundInFull', { actor: 'system:pay.refund-finished', reason: `refund ${hold.refund_id}` });
    }
  }
  return 'FINISHED';
}
