/**
 * Topics and tags of the consistency protocol (deploy/topics.conf creates the topics).
 * Topic names cannot contain dots; the event type is the tag.
 */
export const Topics = {
  /** TRANSACTION: the order.cancel half message of every placement (key = order id). */
  ORDER_PLACEMENT: 'shop-order-placement-tx',
  /** TRANSACTION: the pay.timeout half message of every payment (key = payment id). */
  PAY_TIMEOUT: 'shop-pay-timeout-tx',
  /** DELAY: timer messages of the order service, delivered by the broker at their time. */
  ORDER_TIMERS: 'shop-order-timers',
  ORDER_EVENTS: 'shop-order-events',
  PAY_EVENTS: 'shop-pay-events',
} as const;

export const Tags = {
  /** Committed when a placement failed or was abandoned: release what the order took. */
  ORDER_CANCEL: 'order.cancel',
  /**
   * Outbox event on ORDER_EVENTS, written in the transaction of every move to CANCELLED (failed
   * placement, cancel, pay deadline, sweeper): the release consumers give back what the order
   * took, and the pay service closes the order's open trade.
   */
  ORDER_CANCELLED: 'order.cancelled',
  /** Outbox event on ORDER_EVENTS when an order becomes PAID: the user service adds points. */
  ORDER_PAID: 'order.paid',
  /**
   * Timer on ORDER_TIMERS (key = order id), written at confirmation and delivered at the order's
   * pay deadline: the order service asks the pay service (and so Alipay) and cancels the order
   * if it was not paid.
   */
  ORDER_PAY_DEADLINE: 'order.pay-deadline',
  /**
   * Outbox event on ORDER_EVENTS (key = payment id): a payment arrived for an order that can no
   * longer take it (cancelled meanwhile). The pay service refunds it in full.
   */
  ORDER_PAYMENT_REJECTED: 'order.payment-rejected',
  /** Outbox event on ORDER_EVENTS (key = after-sales id): an admin approved it; the pay service refunds. */
  ORDER_AFTER_SALES_APPROVED: 'order.after-sales-approved',
  /**
   * Half message on PAY_TIMEOUT for every payment (key = payment id), left unresolved: its
   * check-back asks Alipay, and commits it once the unpaid trade is closed at its deadline.
   */
  PAY_TIMEOUT: 'pay.timeout',
  /** Outbox event on PAY_EVENTS when the pay sweeper closed an unpaid trade (same effect as pay.timeout). */
  PAY_CLOSED: 'pay.closed',
  /** Outbox event on PAY_EVENTS when a payment is applied (notify or query): the order becomes PAID. */
  PAY_SUCCEEDED: 'pay.succeeded',
  /**
   * Outbox event on PAY_EVENTS (key = refund id) when a refund of an order ends, SUCCEEDED or
   * FAILED: the order service closes its hold on the order, and marks it REFUNDED once its
   * refunds reach what it was paid.
   */
  PAY_REFUND_FINISHED: 'pay.refund-finished',
} as const;
