/**
 * The bodies of the shop's messages, declared once for their producers and their consumers
 * (the key each is deduplicated on is the message's first key, named with each).
 */

/** order.cancel (half message) and order.cancelled (outbox); key: order id. */
export interface OrderCancelledEvent {
  orderId: string;
  userId: string;
  reason?: string;
}

/** order.paid; key: order id. Points are floor(balance paid + amount paid). */
export interface OrderPaidEvent {
  orderId: string;
  userId: string;
  points: string;
}

/** order.pay-deadline (timer); key: order id. */
export interface OrderPayDeadlineEvent {
  orderId: string;
  /** RFC 3339: the deadline the timer was set for. */
  payDeadline: string;
}

/** order.payment-rejected; key: payment id. */
export interface OrderPaymentRejectedEvent {
  paymentId: string;
  orderId: string;
  /** The order's status when the payment arrived. */
  orderStatus: string;
}

/** order.after-sales-approved; key: after-sales id. */
export interface OrderAfterSalesApprovedEvent {
  afterSalesId: string;
  orderId: string;
  userId: string;
  /** Empty: everything left. */
  amount: string;
  reason: string;
}

/** pay.timeout (half message) and pay.closed; key: payment id. */
export interface PayClosedEvent {
  paymentId: string;
  orderId: string;
}

/** pay.succeeded; key: payment id. */
export interface PaySucceededEvent {
  paymentId: string;
  orderId: string;
  userId: string;
  amount: string;
  tradeNo: string;
}

/** pay.refund-finished; key: refund id. */
export interface PayRefundFinishedEvent {
  refundId: string;
  orderId: string;
  status: 'SUCCEEDED' | 'FAILED';
  reason: string;
}
