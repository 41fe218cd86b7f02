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
  /** Outbox event on ORDER_EVENTS when an order becomes PAID (points, payment log). */
  ORDER_PAID: 'order.paid',
} as const;
