/** The amounts of an order, computed by the server in integer cents (never from the client). */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { formatCents, minCents, parseCents } from '@shop/common/money';

export interface PricedLine {
  price: string;
  quantity: number;
}

export interface AmountRules {
  freeShippingThreshold: string;
  shippingFee: string;
}

export interface OrderAmounts {
  goodsAmount: string;
  shippingFee: string;
  couponPaid: string;
  balancePaid: string;
  payAmount: string;
}

/**
 * goodsAmount = sum of price x quantity; shipping is free from the threshold on; the coupon pays
 * at most what is due; the balance may pay at most what is left; payAmount is the rest.
 */
export function computeAmounts(lines: PricedLine[], couponAmount: string | undefined, balanceWanted: string, rules: AmountRules): OrderAmounts | DomainError {
  const goods = lines.reduce((sum, line) => sum + parseCents(line.price)! * BigInt(line.quantity), 0n);
  const shipping = goods >= parseCents(rules.freeShippingThreshold)! ? 0n : parseCents(rules.shippingFee)!;
  const due = goods + shipping;
  const couponPaid = couponAmount === undefined ? 0n : minCents(parseCents(couponAmount)!, due);
  const balance = parseCents(balanceWanted);
  if (balance === undefined) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'balance must be a decimal with at most two places, like 12.50');
  if (balance > due - couponPaid) return new DomainError(ErrorCode.INVALID_ARGUMENT, `balance exceeds what is left to pay (${formatCents(due - couponPaid)})`);
  return {
    goodsAmount: formatCents(goods),
    shippingFee: formatCents(shipping),
    couponPaid: formatCents(couponPaid),
    balancePaid: formatCents(balance),
    payAmount: formatCents(due - couponPaid - balance),
  };
}
