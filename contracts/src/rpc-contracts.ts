/**
 * The RPC contracts of the shop: each generated service definition with, per method, its
 * default deadline, whether a call may be repeated on another provider, and who may call it.
 *
 * Every mutating call is keyed (order id, request id, refund id) and idempotent on the server,
 * so it is safe to repeat. PlaceOrder is keyed only when the caller sends an idempotency key,
 * and CreatePayment/RequestRefund call Alipay: they are not failed over.
 *
 * Callers are identities proven by mutual TLS (common/src/rpc/rpc-tls.ts): each method admits
 * only the processes that need it, so that a stolen certificate of one service opens only what
 * that service does (the goods service's cannot refund balance). Admin operations come only from
 * the front doors, which check the user's role; `ops` is the operator's tools (seed, manual
 * fixes, tests), admitted where the shop has no caller of its own.
 */
import { defineContract, type MethodPolicy } from '@shop/common/rpc';
import { coupon, goods, order, pay, user } from '@shop/proto';

type Caller = 'order-web' | 'pay-web' | 'order' | 'pay' | 'ops';

const policy =
  (timeoutMs: number, idempotent: boolean) =>
  (...callers: Caller[]): MethodPolicy => ({ timeoutMs, idempotent, callers });
const read = policy(2_000, true);
const keyedWrite = policy(3_000, true);
const once = policy(10_000, false);

export const goodsContract = defineContract(goods.GoodsServiceService, {
  getGoods: read('order-web'),
  batchGetGoods: read('order'),
  listGoods: read('order-web'),
  createGoods: keyedWrite('order-web', 'ops'),
  updateGoods: keyedWrite('order-web', 'ops'),
  reduceStock: keyedWrite('order'),
  releaseStock: keyedWrite('ops'),
  returnStock: keyedWrite('pay'),
  listCategories: read('order-web'),
  createCategory: keyedWrite('order-web', 'ops'),
  // Decoding and resizing a large picture takes a moment; the result depends only on its content.
  putGoodsImage: policy(15_000, true)('order-web', 'ops'),
  getGoodsImage: read('order-web', 'ops'),
});

export const couponContract = defineContract(coupon.CouponServiceService, {
  getCoupon: read('order'),
  listUserCoupons: read('order-web'),
  grantCoupon: keyedWrite('order-web'),
  useCoupon: keyedWrite('order'),
  releaseCoupon: keyedWrite('pay'),
});

export const userContract = defineContract(user.UserServiceService, {
  // A repeated Register could answer ALREADY_EXISTS for the user it just created.
  register: policy(3_000, false)('order-web', 'ops'),
  authenticate: read('order-web', 'ops'),
  getUser: read('order', 'order-web'),
  recharge: keyedWrite('ops'),
  reduceBalance: keyedWrite('order'),
  refundBalance: keyedWrite('pay'),
  addPoints: keyedWrite('ops'),
  deductPoints: keyedWrite('pay'),
  listUsers: read('order-web'),
  adjustBalance: keyedWrite('order-web'),
  listAdjustments: read('order-web'),
  setBanned: keyedWrite('order-web'),
  listAddresses: read('order-web'),
  getAddress: read('order-web'),
  saveAddress: keyedWrite('order-web'),
  deleteAddress: keyedWrite('order-web'),
  // A repeated StartSession starts a second session; a repeated refresh would present a rotated-out
  // secret and end the session: neither is failed over.
  startSession: policy(3_000, false)('order-web'),
  refreshSession: policy(3_000, false)('order-web'),
  endSession: keyedWrite('order-web'),
  changePassword: policy(3_000, false)('order-web'),
  getStanding: read('order-web', 'pay-web'),
});

export const orderContract = defineContract(order.OrderServiceService, {
  placeOrder: once('order-web'),
  quoteOrder: read('order-web'),
  orderStats: read('order-web'),
  getOrder: read('order-web', 'pay'),
  listOrders: read('order-web'),
  cancelOrder: keyedWrite('order-web'),
  shipOrder: keyedWrite('order-web'),
  confirmReceipt: keyedWrite('order-web'),
  holdRefund: keyedWrite('pay'),
  finishRefund: keyedWrite('pay'),
  // Keyed only when the caller sends an idempotency key.
  openAfterSales: policy(3_000, false)('order-web'),
  listAfterSales: read('order-web'),
  decideAfterSales: keyedWrite('order-web'),
  getCart: read('order-web'),
  putCartItem: keyedWrite('order-web'),
  removeCartItem: keyedWrite('order-web'),
  clearCart: keyedWrite('order-web'),
  mergeCart: once('order-web'),
});

export const payContract = defineContract(pay.PayServiceService, {
  createPayment: once('pay-web'),
  listChannels: read('pay-web'),
  getPayment: read('pay-web'),
  handleAlipayNotify: keyedWrite('pay-web'),
  handleWechatPayNotify: keyedWrite('pay-web'),
  requestRefund: once('pay-web'),
  listRefunds: read('pay-web'),
  payStats: read('pay-web'),
  reconcile: policy(30_000, true)('pay-web', 'ops'),
  // Calls Alipay (query, close) and is idempotent: safe to repeat.
  settleOrderPayment: policy(15_000, true)('order'),
});
