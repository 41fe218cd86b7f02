/**
 * The status moves that other parts of the system cause (a failed placement, the pay deadline,
 * a payment, a sweeper), each inside the caller's transaction, each announcing itself through
 * the outbox in that same transaction.
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import { isPlanted, PlantedDefects } from '@shop/contracts';
import type { Transaction } from 'sequelize';
import type { OrderRepository, StatusChange } from './ports';
import { orderMachine, PAID_STATUSES, type OrderMove, type OrderStatus } from './order-status';
import { orderCancelled, orderPaid, paymentRejected } from './order-events';

/** The moves that end in CANCELLED but for `abandon` (cancelAbandonedWithin). */
export type CancelMove = Exclude<{ [M in OrderMove]: (typeof orderMachine.moves)[M]['to'] extends 'CANCELLED' ? M : never }[OrderMove], 'abandon'>;

/**
 * Applies a move to CANCELLED and announces order.cancelled: every move to CANCELLED goes
 * through here, so the release consumers always hear of it (a failed placement
 * also commits its half message; the release ledgers make the two release once).
 * @returns true when this call cancelled it.
 */
export async function cancelWithin(
  store: OrderRepository,
  ids: SnowflakeGenerator,
  tx: Transaction,
  orderId: string,
  move: CancelMove,
  change: StatusChange & { reason: string },
): Promise<boolean> {
  const row = await store.findOrder(orderId, tx);
  if (!row || !(await store.transition(tx, orderId, move, change))) return false;
  await store.enqueue(tx, ids.next(), orderCancelled(row, change.reason));
  return true;
}

/** Cancels an abandoned placement (PENDING older than `ageMs`), with order.cancelled. */
export async function cancelAbandonedWithin(
  store: OrderRepository,
  ids: SnowflakeGenerator,
  tx: Transaction,
  orderId: string,
  ageMs: number,
  change: StatusChange & { reason: string },
): Promise<boolean> {
  const row = await store.findOrder(orderId, tx);
  if (!row || !(await store.cancelAbandoned(tx, orderId, ageMs, change))) return false;
  await store.enqueue(tx, ids.next(), orderCancelled(row, change.reason));
  return true;
}

/**
 * CONFIRMED -> PAID by the payment `paymentId`, recorded with the order; announces order.paid (points).
 * @returns whether this call moved it, the order's status afterwards, and the payment that paid
 *   it (null when none is recorded).
 */
export async function markPaidWithin(
  store: OrderRepository,
  ids: SnowflakeGenerator,
  tx: Transaction,
  orderId: string,
  actor: string,
  paymentId: string,
): Promise<{ moved: boolean; status: OrderStatus | undefined; paidBy: string | null }> {
  if (await store.transition(tx, orderId, 'pay', { actor, paymentId })) {
    const row = (await store.findOrder(orderId, tx))!;
    await store.enqueue(tx, ids.next(), orderPaid(row));
    return { moved: true, status: 'PAID', paidBy: paymentId };
  }
  const row = await store.findOrder(orderId, tx);
  return { moved: false, status: row?.status, paidBy: row?.payment_id ?? null };
}

/**
 * Whether a paid order's payment is `paymentId`: the same payment seen again. An order paid before
 * payment ids were recorded (null) is taken to be: it had a single channel, so a single payment.
 */
const isSamePayment = (recorded: string | null, paymentId: string): boolean => recorded === null || recorded === paymentId;

/**
 * A payment was applied at the pay service (pay.succeeded). An order awaiting it becomes PAID
 * by it; an order paid by it already keeps it (the same payment, seen again). An order that can
 * no longer take it rejects it: order.payment-rejected makes the pay service give the money back.
 * That is an order CANCELLED (by its user, or at its deadline, while the buyer was paying), and
 * an order paid by another payment (the buyer switched channels and both took money). Decided
 * under the order's conditional move, so a payment is either the order's or refunded, never
 * both or neither.
 */
export async function acceptPaymentWithin(
  store: OrderRepository,
  ids: SnowflakeGenerator,
  tx: Transaction,
  payment: { paymentId: string; orderId: string },
): Promise<'PAID' | 'ALREADY_PAID' | 'REJECTED' | 'NOT_YET'> {
  const { moved, status, paidBy: recorded } = await markPaidWithin(store, ids, tx, payment.orderId, 'system:pay.succeeded', payment.paymentId);
  if (moved) return 'PAID';
  if (status && PAID_STATUSES.includes(status)) {
    // Seen again, or marked PAID by the deadline's question to the pay service, which found this payment.
    if (isSamePayment(recorded, payment.paymentId)) return 'ALREADY_PAID';
    // Paid by another payment: this one is money taken twice.
    return reject(store, ids, tx, payment, status);
  }
  // PENDING cannot be paid yet (payments need a CONFIRMED order): the message waits and comes back.
  if (orderMachine.can('confirm', status)) return 'NOT_YET';
  // The planted defect (chaos harness only): the money of a cancelled order is kept.
  if (isPlanted(PlantedDefects.PAYMENT_KEPT_FOR_CANCELLED_ORDER)) return 'ALREADY_PAID';
  return reject(store, ids, tx, payment, status ?? 'MISSING');
}

/** Announces order.payment-rejected: the pay service refunds the payment in full. */
async function reject(
  store: OrderRepository,
  ids: SnowflakeGenerator,
  tx: Transaction,
  payment: { paymentId: string; orderId: string },
  orderStatus: OrderStatus | 'MISSING',
): Promise<'REJECTED'> {
  await store.enqueue(tx, ids.next(), paymentRejected(payment.paymentId, payment.orderId, orderStatus));
  return 'REJECTED';
}
