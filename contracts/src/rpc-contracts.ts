/**
 * The RPC contracts of the shop: each generated service definition with, per method, its
 * default deadline and whether a call may be repeated on another provider.
 *
 * Every mutating call is keyed (order id, request id, refund id) and idempotent on the server,
 * so it is safe to repeat. PlaceOrder is keyed only when the caller sends an idempotency key,
 * and CreatePayment/RequestRefund call Alipay: they are not failed over.
 */
import { defineContract } from '@shop/common/rpc';
import { coupon, goods, order, pay, user } from '@shop/proto';

const read = { timeoutMs: 2_000, idempotent: true };
const keyedWrite = { timeoutMs: 3_000, idempotent: true };
const once = { timeoutMs: 10_000, idempotent: false };

export const goodsContract = defineContract(goods.GoodsServiceService, {
  getGoods: read,
  batchGetGoods: read,
  listGoods: read,
  createGoods: keyedWrite,
  updateGoods: keyedWrite,
  reduceStock: keyedWrite,
  releaseStock: keyedWrite,
  returnStock: keyedWrite,
  listCategories: read,
  createCategory: keyedWrite,
  // Decoding and resizing a large picture takes a moment; the result depends only on its content.
  putGoodsImage: { timeoutMs: 15_000, idempotent: true },
  getGoodsImage: read,
});

export const couponContract = defineContract(coupon.CouponServiceService, {
  getCoupon: read,
  listUserCoupons: read,
  grantCoupon: keyedWrite,
  useCoupon: keyedWrite,
  releaseCoupon: keyedWrite,
});

export const userContract = defineContract(user.UserServiceService, {
  // A repeated Register could answer ALREADY_EXISTS for the user it just created.
  register: { timeoutMs: 3_000, idempotent: false },
  authenticate: read,
  getUser: read,
  recharge: keyedWrite,
  reduceBalance: keyedWrite,
  refundBalance: keyedWrite,
  addPoints: keyedWrite,
  deductPoints: keyedWrite,
  listUsers: read,
  adjustBalance: keyedWrite,
  listAdjustments: read,
  setBanned: keyedWrite,
  listAddresses: read,
  getAddress: read,
  saveAddress: keyedWrite,
  deleteAddress: keyedWrite,
  // A repeated StartSession starts a second session; a repeated refresh would present a rotated-out
  // secret and end the session: neither is failed over.
  startSession: { timeoutMs: 3_000, idempotent: false },
  refreshSession: { timeoutMs: 3_000, idempotent: false },
  endSession: keyedWrite,
  changePassword: { timeoutMs: 3_000, idempotent: false },
  getStanding: read,
});

export const orderContract = defineContract(order.OrderServiceService, {
  placeOrder: once,
  quoteOrder: read,
  orderStats: read,
  getOrder: read,
  listOrders: read,
  cancelOrder: keyedWrite,
  shipOrder: keyedWrite,
  confirmReceipt: keyedWrite,
  holdRefund: keyedWrite,
  finishRefund: keyedWrite,
  // Keyed only when the caller sends an idempotency key.
  openAfterSales: { timeoutMs: 3_000, idempotent: false },
  listAfterSales: read,
  decideAfterSales: keyedWrite,
  getCart: read,
  putCartItem: keyedWrite,
  removeCartItem: keyedWrite,
  clearCart: keyedWrite,
  mergeCart: once,
});

export const payContract = defineContract(pay.PayServiceService, {
  createPayment: once,
  getPayment: read,
  handleAlipayNotify: keyedWrite,
  requestRefund: once,
  listRefunds: read,
  payStats: read,
  reconcile: { timeoutMs: 30_000, idempotent: true },
  // Calls Alipay (query, close) and is idempotent: safe to repeat.
  settleOrderPayment: { timeoutMs: 15_000, idempotent: true },
});
