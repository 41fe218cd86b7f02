/**
 * The status machines of the pay service, one per entity: every path that changes a payment's or
 * a refund's status names one of these moves, and the stores apply it as a conditional UPDATE.
 *
 *   payment:  UNPAID --close--> CLOSED
 *               |                 |
 *               +------pay--------+--> PAID --refundInFull--> REFUNDED
 *   refund:   PENDING --succeed--> SUCCEEDED
 *             PENDING --fail-----> FAILED
 */
import { stateMachine } from '@shop/common/state';

export const PAYMENT_STATUSES = ['UNPAID', 'PAID', 'CLOSED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const paymentMachine = stateMachine(PAYMENT_STATUSES, {
  /**
   * Alipay took the money (notification, query, reconciliation). From CLOSED too: Alipay is the
   * money's truth, and a payment it took is applied whatever the shop thought (then refunded if
   * its order cannot take it).
   */
  pay: { from: ['UNPAID', 'CLOSED'], to: 'PAID' },
  /** Alipay closed the unpaid trade, or it can no longer be paid (its QR code expired). */
  close: { from: ['UNPAID'], to: 'CLOSED' },
  /** Refunds reached the amount paid at Alipay. */
  refundInFull: { from: ['PAID'], to: 'REFUNDED' },
});

export type PaymentMove = keyof typeof paymentMachine.moves;

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const refundMachine = stateMachine(REFUND_STATUSES, {
  /** Every step done: Alipay, balance, points, stock, coupon. */
  succeed: { from: ['PENDING'], to: 'SUCCEEDED' },
  /** Refused for good (by Alipay, or by the plan) before any money moved back. */
  fail: { from: ['PENDING'], to: 'FAILED' },
});

export type RefundMove = keyof typeof refundMachine.moves;
