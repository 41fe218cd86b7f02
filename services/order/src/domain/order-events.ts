/** Messages the order service publishes through its outbox. */
import { parseCents, Tags, Topics, type OrderAfterSalesApprovedEvent, type OrderCancelledEvent, type OrderPaidEvent, type OrderPayDeadlineEvent, type OrderPaymentRejectedEvent, type OutgoingMessage } from '@shop/common';
import type { OrderRow } from '../store/order-store';

/** The order was cancelled (from any state, by any path): the release consumers give back what it took. */
export function orderCancelled(order: Pick<OrderRow, 'id' | 'user_id'>, reason: string): OutgoingMessage {
  const body: OrderCancelledEvent = { orderId: order.id, userId: order.user_id, reason };
  return { topic: Topics.ORDER_EVENTS, tag: Tags.ORDER_CANCELLED, keys: [order.id], body };
}

/** The points an order earns: floor(balance paid + amount paid). */
export function pointsOf(order: Pick<OrderRow, 'balance_paid' | 'pay_amount'>): bigint {
  return (parseCents(order.balance_paid)! + parseCents(order.pay_amount)!) / 100n;
}

/** The order is paid: the user service adds its points. */
export function orderPaid(order: Pick<OrderRow, 'id' | 'user_id' | 'balance_paid' | 'pay_amount'>): OutgoingMessage {
  const body: OrderPaidEvent = { orderId: order.id, userId: order.user_id, points: pointsOf(order).toString() };
  return { topic: Topics.ORDER_EVENTS, tag: Tags.ORDER_PAID, keys: [order.id], body };
}

/**
 * The timer of a confirmed order's pay deadline, delivered by the broker `marginSeconds` after
 * it (Alipay may still accept the QR code until then) and a second more (the broker's timers
 * fire within a second).
 */
export function payDeadlineTimer(orderId: string, payDeadline: Date, marginSeconds: number): OutgoingMessage {
  const body: OrderPayDeadlineEvent = { orderId, payDeadline: payDeadline.toISOString() };
  return { topic: Topics.ORDER_TIMERS, tag: Tags.ORDER_PAY_DEADLINE, keys: [orderId], body, deliverAt: new Date(payDeadline.getTime() + (marginSeconds + 1) * 1000) };
}

/** A payment arrived for an order that can no longer take it: the pay service gives it back. */
export function paymentRejected(paymentId: string, orderId: string, orderStatus: string): OutgoingMessage {
  const body: OrderPaymentRejectedEvent = { paymentId, orderId, orderStatus };
  return { topic: Topics.ORDER_EVENTS, tag: Tags.ORDER_PAYMENT_REJECTED, keys: [paymentId], body };
}

/** An admin approved an after-sales request: the pay service refunds it. */
export function afterSalesApproved(body: OrderAfterSalesApprovedEvent): OutgoingMessage {
  return { topic: Topics.ORDER_EVENTS, tag: Tags.ORDER_AFTER_SALES_APPROVED, keys: [body.afterSalesId], body };
}
