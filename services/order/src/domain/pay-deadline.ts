/**
 * A confirmed order's pay deadline, enforced on time: at confirmation the order writes a timer
 * message (order.pay-deadline, delivered by the broker at the deadline); the sweeper catches
 * whatever a timer missed. Both ask the pay service first (which asks Alipay), and only then
 * decide, so that an order paid on time whose pay.succeeded is late is never cancelled:
 *
 *   the payment was taken         -> PAID by that payment (order.paid)
 *   no payment, or its trade is closed at Alipay -> CANCELLED (order.cancelled releases)
 *   not decided yet (Alipay unreachable, a QR code that may still be scanned) -> ask again later
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { Transaction } from 'sequelize';
import type { OrderRepository } from './ports';
import type { OrderStatus } from './order-status';
import { cancelWithin, markPaidWithin } from './order-moves';

/** The cancel reason of an order whose pay deadline passed unpaid (by its own timer or by the pay service's pay.timeout). */
export const UNPAID_AT_DEADLINE = 'not paid before the pay deadline';

export type Settlement = 'NO_PAYMENT' | 'PAID' | 'CLOSED' | 'OPEN';

/**
 * The pay service's answer about an order's payment: PAID names the payment that took the money,
 * which the order records (any other payment of the order is then refunded).
 */
export type SettlementAnswer = { settlement: 'PAID'; paymentId: string } | { settlement: Exclude<Settlement, 'PAID'> };

/** The pay service's answer about an order's payment (SettleOrderPayment). */
export interface PaySettlement {
  settle(orderId: string): Promise<SettlementAnswer>;
}

export interface DeadlineDeps {
  store: OrderRepository;
  ids: SnowflakeGenerator;
  pay: PaySettlement;
}

/** A timer delivered before the deadline by this process's clock: thrown, so it comes back later. */
export class DeadlineNotReached extends Error {}

/**
 * What the pay service says of an order still CONFIRMED past its deadline; undefined when the
 * order moved on and needs no answer.
 * @throws DeadlineNotReached for a CONFIRMED order whose deadline is still ahead.
 */
export async function askAboutOverdueOrder(deps: DeadlineDeps, orderId: string): Promise<SettlementAnswer | undefined> {
  const row = await deps.store.findOrder(orderId);
  if (row?.status !== 'CONFIRMED' || !row.pay_deadline) return undefined;
  if (row.pay_deadline.getTime() > Date.now()) throw new DeadlineNotReached(`the pay deadline of order ${orderId} is ${row.pay_deadline.toISOString()}`);
  return deps.pay.settle(orderId);
}

/**
 * Applies the pay service's answer inside the caller's transaction (the consumer's, with its
 * consume log). Every move is conditional on CONFIRMED: a payment or a cancellation that got
 * there first stands.
 * @returns the order's status afterwards, or 'OPEN' when it must be asked about again.
 */
export async function applySettlementWithin(
  deps: DeadlineDeps,
  tx: Transaction,
  orderId: string,
  answer: SettlementAnswer,
  actor: string,
): Promise<OrderStatus | 'OPEN' | undefined> {
  const { store, ids } = deps;
  if (answer.settlement === 'OPEN') return 'OPEN';
  if (answer.settlement === 'PAID') return (await markPaidWithin(store, ids, tx, orderId, actor, answer.paymentId)).status;
  if (await cancelWithin(store, ids, tx, orderId, 'expire', { actor, reason: UNPAID_AT_DEADLINE })) return 'CANCELLED';
  return (await store.findOrder(orderId, tx))?.status;
}

/** Both steps, for the sweeper: asks, then applies in a transaction of its own. */
export async function settleOverdueOrder(deps: DeadlineDeps, orderId: string, actor: string): Promise<OrderStatus | 'OPEN' | undefined> {
  const answer = await askAboutOverdueOrder(deps, orderId);
  if (answer === undefined) return (await deps.store.findOrder(orderId))?.status;
  return deps.store.transaction((tx) => applySettlementWithin(deps, tx, orderId, answer, actor));
}
