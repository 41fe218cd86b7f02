/**
 * How one refund is shared out, decided by the order service when it holds the refund
 * (order.HoldRefund, under the order's row lock) and carried out step by step by the pay
 * service, which keeps it on its refund row.
 */
import type { OrderLineInput } from './order-lines';

/** Goods given back to stock by a refund before shipment. */
export type RefundLine = OrderLineInput;

export interface RefundShares {
  /** Decimal strings with two places. */
  amount: string;
  /** Through Alipay first, up to what the order paid there; the rest to the balance. */
  alipayAmount: string;
  balanceAmount: string;
  /** Points the order earned that this refund takes back, an integer string. */
  points: string;
  restock: RefundLine[];
  /** A full refund before shipment frees the order's coupon. */
  releaseCoupon: boolean;
  /** This refund brings the order's refunds to what it was paid: the order becomes REFUNDED. */
  completesOrder: boolean;
}
