/**
 * The order's status machine: every move an order makes, by name. Every path that changes an
 * order's status (placement, cancel, pay deadline, payment, shipping, receipt, refunds, the
 * sweepers and the check-back) names one of these moves; the store applies it as a conditional
 * UPDATE and writes the history row from it.
 *
 *   PENDING --confirm--> CONFIRMED --pay--> PAID --ship--> SHIPPED --receive--> COMPLETED
 *      |  \--payInFull-----------------------^ |                |                  |
 *      |                                       \------------refundInFull-----------+--> REFUNDED
 *      +--failPlacement / abandon / cancel--> CANCELLED <--cancel / expire-- CONFIRMED
 */
import { stateMachine } from '@shop/common/state';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const orderMachine = stateMachine(ORDER_STATUSES, {
  /** Placement: everything reserved, something left to pay at Alipay. */
  confirm: { from: ['PENDING'], to: 'CONFIRMED' },
  /** Placement: coupon and balance covered the whole order. */
  payInFull: { from: ['PENDING'], to: 'PAID' },
  /** Placement: a reservation was refused, or the broker was unavailable. */
  failPlacement: { from: ['PENDING'], to: 'CANCELLED' },
  /** A placement that never finished (its process died): the sweeper or the check-back, past the placement deadline. */
  abandon: { from: ['PENDING'], to: 'CANCELLED' },
  /** By its user or an admin, while unpaid (a PENDING placement then fails its confirm). */
  cancel: { from: ['CONFIRMED', 'PENDING'], to: 'CANCELLED' },
  /** Not paid by the pay deadline (the order's timer, pay.timeout, pay.closed). */
  expire: { from: ['CONFIRMED'], to: 'CANCELLED' },
  /** A payment applied (pay.succeeded, or the deadline's question to the pay service). */
  pay: { from: ['CONFIRMED'], to: 'PAID' },
  ship: { from: ['PAID'], to: 'SHIPPED' },
  /** The buyer confirmed receipt, or the auto-complete sweeper after its days. */
  receive: { from: ['SHIPPED'], to: 'COMPLETED' },
  /** The refund that brings refunds up to what the order was paid. */
  refundInFull: { from: ['PAID', 'SHIPPED', 'COMPLETED'], to: 'REFUNDED' },
});

export type OrderMove = keyof typeof orderMachine.moves;

/** Statuses in which a payment was taken (a payment arriving then is the same one, seen again). */
export const PAID_STATUSES: readonly OrderStatus[] = ['PAID', 'SHIPPED', 'COMPLETED', 'REFUNDED'];
