/** Messages the order service publishes through its outbox, built from the event catalogue. */
import type { OutgoingMessage } from '@shop/common/mq';
import { parseCents } from '@shop/common/money';
import { eventsOf, Tags, type OrderAfterSalesApprovedEvent } from '@shop/contracts';
import type { OrderRow } from './ports';

export const orderEvents = eventsOf('order');

/** The order was cancelled (from any state, by any path): the release consumers give back what it took. */
export function orderCancelled(order: Pick<OrderRow, 'id' | 'user_id'>, reason: string): OutgoingMessage {
  return orderEvents.message(Tags.ORDER_CANCELLED, { orderId: order.id, userId: order.user_id, reason });
}

/** The points an order earns: floor(balance paid + amount paid). */
export function pointsOf(order: Pick<OrderRow, 'balance_paid' | 'pay_amount'>): bigint {
  return (parseCents(order.balance_paid)! + parseCents(order.pay_amount)!) / 100n;
}

/** The order is paid: the user service adds its points. */
export function orderPaid(order: Pick<OrderRow, 'id' | 'user_id' | 'balance_paid' | 'pay_amount'>): OutgoingMessage {
  return orderEvents.message(Tags.ORDER_PAID, { orderId: order.id, userId: order.user_id, points: pointsOf(order).toString() });
}

/**
 * The timer of a confirmed order's pay deadline, delivered by the broker `marginSeconds` after
 * it (Alipay may still accept the QR code until then) and a second more (the broker's timers
 * fire within a second).
 */
export function payDeadlineTimer(orderId: string, payDeadline: Date, marginSeconds: number): OutgoingMessage {
  const deliverAt = new Date(payDeadline.getTime() + (marginSeconds + 1) * 1000);
  return orderEvents.message(Tags.ORDER_PAY_DEADLINE, { orderId, payDeadline: payDeadline.toISOString() }, { deliverAt });
}

/** A payment arrived for an order that can no longer take it: the pay service gives it back. */
export function paymentRejected(paymentId: string, orderId: string, orderStatus: string): OutgoingMessage {
  return orderEvents.message(Tags.ORDER_PAYMENT_REJECTED, { paymentId, orderId, orderStatus });
}

/** An admin approved an after-sales request: the pay service refunds it. */
export function afterSalesApproved(body: OrderAfterSalesApprovedEvent): OutgoingMessage {
  return orderEvents.message(Tags.ORDER_AFTER_SALES_APPROVED, body);
}
