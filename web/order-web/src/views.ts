/**
 * The JSON the API answers with, from the services' messages (ids and money are strings), and
 * the JSON schema of each shape for the OpenAPI document and the serializer.
 */
import { protoEnumNames } from '@shop/common/http';
import { order as orderProto, type coupon, type goods, type user } from '@shop/proto';
import { user as userProto } from '@shop/proto';

export const ORDER_STATUSES = protoEnumNames(orderProto.OrderStatus);

const id = { type: 'string', description: 'decimal id (64-bit, hence a string)' } as const;
const money = { type: 'string', description: 'amount in yuan with two decimals, e.g. "19.90"' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const status = { type: 'string', enum: [...ORDER_STATUSES] } as const;
const nullable = <T extends object>(schema: T) => ({ ...schema, nullable: true });

function shape(properties: Record<string, unknown>) {
  return { type: 'object', properties, required: Object.keys(properties) } as const;
}

/** Where a picture of a goods is served (see goods.routes.ts): immutable, its name derived from its content. */
export const imageUrl = (imageKey: string, size: 'small' | 'large') => `/images/goods/${imageKey}-${size}.webp`;

export const goodsView = (g: goods.Goods) => ({
  goodsId: g.goodsId,
  name: g.name,
  price: g.price,
  stock: g.stock,
  onSale: g.onSale,
  categoryId: g.categoryId || null,
  categoryName: g.categoryName || null,
  description: g.description,
  image: g.imageKey ? { small: imageUrl(g.imageKey, 'small'), large: imageUrl(g.imageKey, 'large') } : null,
});
const nullableString = { type: ['string', 'null'] } as const;
export const goodsSchema = shape({
  goodsId: id,
  name: { type: 'string' },
  price: money,
  stock: { type: 'integer' },
  onSale: { type: 'boolean' },
  categoryId: nullableString,
  categoryName: nullableString,
  description: { type: 'string' },
  image: {
    type: ['object', 'null'],
    description: '320 px square (small) and 960 px (large) WebP',
    properties: { small: { type: 'string' }, large: { type: 'string' } },
    required: ['small', 'large'],
  },
});
export const categorySchema = shape({ categoryId: id, name: { type: 'string' }, goodsCount: { type: 'integer', description: 'goods on sale in it' } });

export const couponView = (c: coupon.Coupon) => ({ couponId: c.couponId, amount: c.amount, used: c.used, orderId: c.orderId || null });
export const couponSchema = shape({ couponId: id, amount: money, used: { type: 'boolean' }, orderId: nullable(id) });

export const meView = (u: user.User) => ({ userId: u.userId, username: u.username, balance: u.balance, points: Number(u.points) });
export const meSchema = shape({ userId: id, username: { type: 'string' }, balance: money, points: { type: 'integer' } });

export const orderView = (o: orderProto.Order) => ({
  orderId: o.orderId,
  userId: o.userId,
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
  shippedAt: o.shippedAt || null,
  completedAt: o.completedAt || null,
  refundedAmount: o.refundedAmount,
  refusedAtPlacement: o.refusedAtPlacement,
});

/** One line of an order or a quote: the name and unit price at the time. */
const line = shape({ goodsId: id, name: { type: 'string' }, price: money, quantity: { type: 'integer' } });

export const orderSchema = shape({
  orderId: id,
  userId: id,
  status,
  goodsAmount: money,
  shippingFee: money,
  couponPaid: money,
  balancePaid: money,
  payAmount: { ...money, description: 'what is left to pay through Alipay' },
  couponId: nullable(id),
  items: { type: 'array', items: line },
  address: { type: 'string' },
  consignee: { type: 'string' },
  cancelReason: nullable({ type: 'string' }),
  createdAt: time,
  payDeadline: nullable({ ...time, description: 'an unpaid order is cancelled at this time' }),
  shippedAt: nullable(time),
  completedAt: nullable({ ...time, description: 'after-sales requests are accepted until ORDER_AFTER_SALES_DAYS after it' }),
  refundedAmount: { ...money, description: 'what succeeded refunds gave back so far (Alipay and balance)' },
  refusedAtPlacement: {
    type: 'boolean',
    description: "refused at placement (stock, coupon, balance) or abandoned before its confirmation: CANCELLED, kept for audit, left out of the user's list",
  },
});

export const dayStatsSchema = shape({
  days: {
    type: 'array',
    description: 'every day of the range, oldest first',
    items: shape({
      day: { type: 'string', description: 'YYYY-MM-DD (UTC)' },
      placed: { type: 'integer', description: 'orders placed (refused attempts left out)' },
      refused: { type: 'integer', description: 'attempts refused at placement' },
      paid: { type: 'integer', description: 'of the placed, paid (PAID, SHIPPED, COMPLETED or REFUNDED now)' },
      cancelled: { type: 'integer', description: 'of the placed, cancelled unpaid' },
      revenue: { ...money, description: 'what the paid orders took (Alipay and balance)' },
      refunded: { ...money, description: 'what refunds gave back of it' },
    }),
  },
});

export const quoteView = (q: orderProto.OrderQuote) => ({
  items: q.lines.map((l) => ({ goodsId: l.goodsId, name: l.name, price: l.price, quantity: l.quantity })),
  goodsAmount: q.goodsAmount,
  shippingFee: q.shippingFee,
  couponAmount: q.couponAmount,
  couponPaid: q.couponPaid,
  balancePaid: q.balancePaid,
  payAmount: q.payAmount,
  balanceAvailable: q.balanceAvailable,
});

export const quoteSchema = shape({
  items: { type: 'array', items: line, description: "today's names and unit prices" },
  goodsAmount: money,
  shippingFee: money,
  couponAmount: { ...money, description: "the coupon's face value (0.00 without one)" },
  couponPaid: { ...money, description: 'what the coupon pays of this order: at most what is due; the rest of a larger coupon is lost' },
  balancePaid: money,
  payAmount: { ...money, description: 'what is left to pay through Alipay' },
  balanceAvailable: { ...money, description: "the user's balance now" },
});

/** One order with its status history (GET of a single order). */
export const orderDetailView = (o: orderProto.Order) => ({
  ...orderView(o),
  history: o.history.map((change) => ({
    from: change.fromStatus === orderProto.OrderStatus.ORDER_STATUS_UNSPECIFIED ? null : orderProto.orderStatusToJSON(change.fromStatus),
    to: orderProto.orderStatusToJSON(change.toStatus),
    actor: change.actor,
    reason: change.reason || null,
    at: change.at,
  })),
});

export const orderDetailSchema = {
  ...orderSchema,
  properties: {
    ...orderSchema.properties,
    history: {
      type: 'array',
      description: 'every status change, oldest first',
      items: shape({
        from: nullable(status),
        to: status,
        actor: { type: 'string', description: 'user:<id>, admin:<id> or system:<what>' },
        reason: nullable({ type: 'string' }),
        at: time,
      }),
    },
  },
  required: [...orderSchema.required, 'history'],
} as const;

export const cartView = (c: orderProto.Cart) => ({
  items: c.items.map((item) => ({ goodsId: item.goodsId, name: item.name, price: item.price, quantity: item.quantity, checked: item.checked })),
  checkedAmount: c.checkedAmount,
});

export const cartSchema = shape({
  items: {
    type: 'array',
    items: shape({
      goodsId: id,
      name: { type: 'string' },
      price: { ...money, description: "today's unit price" },
      quantity: { type: 'integer' },
      checked: { type: 'boolean' },
    }),
  },
  checkedAmount: { ...money, description: 'sum of the checked lines at today’s prices' },
});

export const pageOf = (item: object) => shape({ items: { type: 'array', items: item }, total: { type: 'integer' } });

export const AFTER_SALES_STATUSES = protoEnumNames(orderProto.AfterSalesStatus).map((name) => name.replace(/^AFTER_SALES_/, ''));

export const afterSalesView = (a: orderProto.AfterSales) => ({
  afterSalesId: a.afterSalesId,
  orderId: a.orderId,
  userId: a.userId,
  status: orderProto.afterSalesStatusToJSON(a.status).replace(/^AFTER_SALES_/, ''),
  reason: a.reason,
  amount: a.amount || null,
  decidedBy: a.decidedBy || null,
  note: a.note || null,
  refundId: a.refundId || null,
  createdAt: a.createdAt,
  decidedAt: a.decidedAt || null,
});

export const afterSalesSchema = shape({
  afterSalesId: id,
  orderId: id,
  userId: id,
  status: { type: 'string', enum: AFTER_SALES_STATUSES, description: 'OPEN -> APPROVED -> REFUNDED | REFUND_FAILED, or OPEN -> REJECTED' },
  reason: { type: 'string' },
  amount: nullable({ ...money, description: 'what was asked; null: everything left to refund' }),
  decidedBy: nullable({ type: 'string', description: 'admin:<id>' }),
  note: nullable({ type: 'string', description: "the admin's note, or why the refund failed" }),
  refundId: nullable({ ...id, description: 'the refund carried out at the pay service (pay-web GET /api/v1/orders/:orderId/refunds)' }),
  createdAt: time,
  decidedAt: nullable(time),
});

/** A user as an admin sees them (the list of users, a user's page, the answers of the admin's changes). */
export const adminUserView = (u: user.User) => ({
  userId: u.userId,
  username: u.username,
  role: u.role === userProto.Role.ROLE_ADMIN ? 'ADMIN' : 'CUSTOMER',
  balance: u.balance,
  points: Number(u.points),
  banned: u.banned,
  banReason: u.banReason || null,
  createdAt: u.createdAt,
});

export const adminUserSchema = shape({
  userId: id,
  username: { type: 'string' },
  role: { type: 'string', enum: ['CUSTOMER', 'ADMIN'] },
  balance: money,
  points: { type: 'integer' },
  banned: { type: 'boolean', description: 'a banned user cannot sign in, and their tokens are refused (403 USER_BANNED)' },
  banReason: nullable({ type: 'string', description: 'why, while banned' }),
  createdAt: time,
});

export const adjustmentView = (a: user.Adjustment) => ({
  amount: a.amount,
  reason: a.reason || null,
  operatorId: a.operatorId || null,
  balanceAfter: a.balanceAfter || null,
  createdAt: a.createdAt,
});

export const adjustmentSchema = shape({
  amount: { type: 'string', description: 'signed: "50.00" added, "-12.50" taken' },
  reason: nullable({ type: 'string', description: 'null for a recharge made before reasons were required' }),
  operatorId: nullable({ ...id, description: 'the admin who made it (null for a recharge)' }),
  balanceAfter: nullable({ ...money, description: 'the balance it left (null for movements older than the record)' }),
  createdAt: time,
});

export const adminUserDetailSchema = {
  ...adminUserSchema,
  properties: {
    ...adminUserSchema.properties,
    coupons: { type: 'array', items: couponSchema, description: "the user's coupons, as their own list shows them" },
    adjustments: { type: 'array', items: adjustmentSchema, description: 'recharges and adjustments, newest first (the latest 100)' },
  },
  required: [...adminUserSchema.required, 'coupons', 'adjustments'],
} as const;

export const addressView = (a: user.Address) => ({
  addressId: a.addressId,
  recipient: a.recipient,
  phone: a.phone,
  region: a.region,
  line: a.line,
  isDefault: a.isDefault,
});

export const addressSchema = shape({
  addressId: id,
  recipient: { type: 'string' },
  phone: { type: 'string' },
  region: { type: 'string', description: 'province, city, district' },
  line: { type: 'string', description: 'street, building, door' },
  isDefault: { type: 'boolean', description: 'exactly one address is the default while there are any' },
});
