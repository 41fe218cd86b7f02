/** Orders in the states the payment and refund specs start from, made through the public APIs. */
import assert from 'node:assert/strict';
import { eventually } from '../../../../common/test/support/infra';
import { newCustomer, newGoods, placeOrder } from '../../../order-web/test/support/shop-api';
import type { SystemState } from '../../../order-web/test/support/system-state';
import { driverOf, payThrough, type ChannelName } from './channels';

/** Generous: messages a SIGKILLed consumer had taken come back only after RocketMQ's invisible time. */
export const until = (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) =>
  eventually(what, timeoutMs, async () => ((await check()) ? true : undefined));

export interface OrderFixture {
  goodsId: string;
  customer: { token: string; userId: string; couponIds: string[] };
  orderId: string;
  payAmount: string;
}

/**
 * A customer (balance 50.00) with a confirmed order: 2 x 30.00 + 10.00 shipping = 70.00, 20.00
 * paid by balance (5.00 by a coupon when asked), the rest left to pay through a channel.
 */
export async function confirmedOrder(admin: string, options: { coupon?: boolean; stock?: number } = {}): Promise<OrderFixture> {
  const goodsId = await newGoods(admin, '30.00', options.stock ?? 10);
  const customer = await newCustomer(admin, { balance: '50.00', coupons: options.coupon ? ['5.00'] : [] });
  const placed = await placeOrder(customer.token, {
    items: [{ goodsId, quantity: 2 }],
    balance: '20.00',
    ...(options.coupon && { couponId: customer.couponIds[0] }),
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  assert.equal(placed.body.status, 'CONFIRMED', JSON.stringify(placed.body));
  return { goodsId, customer, orderId: placed.body.orderId, payAmount: placed.body.payAmount };
}

/** The same order paid through a channel (Alipay unless told): PAID, with its points added (70, or 65 with the coupon). */
export async function paidOrder(
  admin: string,
  state: SystemState,
  options: { coupon?: boolean; channel?: ChannelName } = {},
): Promise<OrderFixture & { paymentId: string }> {
  const order = await confirmedOrder(admin, options);
  const channel = driverOf(options.channel ?? 'ALIPAY_QR');
  const created = await payThrough(order.customer.token, order.orderId, channel.channel);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const paymentId = created.body.paymentId as string;
  assert.equal((await channel.pay(paymentId)).status, 200);
  await until('the order to be PAID', async () => (await state.order(order.orderId))?.status === 'PAID');
  await until('the points', async () => (await state.points(order.customer.userId)) === (options.coupon ? '65' : '70'));
  return { ...order, paymentId };
}
