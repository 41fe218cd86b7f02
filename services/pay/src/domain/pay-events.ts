/** Messages the pay service sends (outbox and half messages), built from the event catalogue. */
import type { OutgoingMessage } from '@shop/common/mq';
import { eventsOf, Tags, type PayRefundFinishedEvent } from '@shop/contracts';
import type { PaymentRow } from './ports';

export const payEvents = eventsOf('pay');

/** The payment was applied: the order service accepts it (PAID) or rejects it (refunded). */
export function paySucceeded(payment: Pick<PaymentRow, 'id' | 'order_id' | 'user_id' | 'amount'>, tradeNo: string): OutgoingMessage {
  return payEvents.message(Tags.PAY_SUCCEEDED, { paymentId: payment.id, orderId: payment.order_id, userId: payment.user_id, amount: payment.amount, tradeNo });
}

/** The sweeper closed the unpaid trade: the order service cancels the order. */
export function payClosed(payment: Pick<PaymentRow, 'id' | 'order_id'>): OutgoingMessage {
  return payEvents.message(Tags.PAY_CLOSED, { paymentId: payment.id, orderId: payment.order_id });
}

/** A refund of an order ended: the order service closes its hold. */
export function refundFinished(body: PayRefundFinishedEvent): OutgoingMessage {
  return payEvents.message(Tags.PAY_REFUND_FINISHED, body);
}

/** The half message of a payment, committed once its unpaid trade is closed at the deadline. */
export function paymentTimeoutHalf(paymentId: string, orderId: string): Omit<OutgoingMessage, 'topic'> {
  return payEvents.half(Tags.PAY_TIMEOUT, { paymentId, orderId });
}
