/** The JSON the API answers with, from the services' messages. Ids are strings, money too. */
import { order as orderProto, type coupon, type goods, type user } from '@shop/proto';

export const goodsView = (g: goods.Goods) => ({ goodsId: g.goodsId, name: g.name, price: g.price, stock: g.stock });

export const couponView = (c: coupon.Coupon) => ({ couponId: c.couponId, amount: c.amount, used: c.used, orderId: c.orderId || null });

export const meView = (u: user.User) => ({ userId: u.userId, username: u.username, balance: u.balance, points: Number(u.points) });

export const orderView = (o: orderProto.Order) => ({
  orderId: o.orderId,
  status: orderProto.orderStatusToJSON(o.status),
  goodsAmount: o.goodsAmount,
  shippingFee: o.shippingFee,
  couponPaid: o.couponPaid,
  balancePaid: o.balancePaid,
  payAmount: o.payAmount,
  couponId: o.couponId || null,
  items: o.lines.map((line) => ({ goodsId: line.goodsId, name: line.name, price: line.price, quantity: line.quantity })),
  address: o.address,
  consignee: o.consignee,
  cancelReason: o.cancelReason || null,
  createdAt: o.createdAt,
  payDeadline: o.payDeadline || null,
});

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'REFUNDED'] as const;
