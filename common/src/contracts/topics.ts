/**
 * Topics and tags of the consistency protocol (deploy/topics.conf creates the topics).
 * Topic names cannot contain dots; the event type is the tag.
 */
export const Topics = {
  /** TRANSACTION: the order.cancel half message of every placement (key = order id). */
  ORDER_PLACEMENT: 'shop-order-placement-tx',
  /** TRANSACTION: the pay.timeout half message of every payment (key = payment id). */
  PAY_TIMEOUT: 'shop-pay-timeout-tx',
  ORDER_EVENTS: 'shop-order-events',
  PAY_EVENTS: 'shop-pay-events',
} as const;

export const Tags = {
  /** Committed when a placement failed or was abandoned: release what the order took. */
  ORDER_CANCEL: 'order.cancel',
  /**
   * Outbox event on ORDER_EVENTS when a confirmed order is cancelled later (by its user, or by the
   * pay timeout): its half message was rolled back long ago, so this event carries the release.
   */
  ORDER_CANCELLED: 'order.cancelled',
  /** Outbox event on ORDER_EVENTS when an order becomes PAID: the user service adds points. */
  ORDER_PAID: 'order.paid',
  /**
   * Half message on PAY_TIMEOUT for every payment (key = payment id), left unresolved: its
   * check-back asks Alipay, and commits it once the unpaid trade is closed at its deadline.
   */
  PAY_TIMEOUT: 'pay.timeout',
  /** Outbox event on PAY_EVENTS when the pay sweeper closed an unpaid trade (same effect as pay.timeout). */
  PAY_CLOSED: 'pay.closed',
  /** Outbox event on PAY_EVENTS when a payment is applied (notify or query): the order becomes PAID. */
  PAY_SUCCEEDED: 'pay.succeeded',
  /** Outbox event on PAY_EVENTS (key = order id) when an order's refunds reach what it was paid: REFUNDED. */
  PAY_REFUNDED: 'pay.refunded',
} as const;
