/** Events the order service publishes through its outbox (topic shop-order-events). */
import { parseCents, Tags, Topics, type OutgoingMessage } from '@shop/common';
import type { OrderRow } from '../store/order-store';

/** A confirmed order was cancelled: the release consumers give back what it took. */
export function orderCancelled(order: Pick<OrderRow, 'id' | 'user_id'>, reason: string): OutgoingMessage {
  return { topic: Topics.ORDER_EVENTS, tag: Tags.ORDER_CANCELLED, keys: [order.id], body: { orderId: order.id, userId: order.user_id, reason } };
}

/** The order is paid; points are floor(balance paid + amount paid). */
export function orderPaid(order: Pick<OrderRow, 'id' | 'user_id' | 'balance_paid' | 'pay_amount'>): OutgoingMessage {
  const paidCents = parseCents(order.balance_paid)! + parseCents(order.pay_amount)!;
  return { topic: Topics.ORDER_EVENTS, tag: Tags.ORDER_PAID, keys: [order.id], body: { orderId: order.id, userId: order.user_id, points: (paidCents / 100n).toString() } };
}
