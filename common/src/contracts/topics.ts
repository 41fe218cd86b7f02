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
} as const;
