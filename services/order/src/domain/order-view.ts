/** The order as the API shows it (the generated proto shape), built from its rows. */
import { formatCents, parseCents } from '@shop/common/money';
import { order as proto } from '@shop/proto';
import type { OrderStatus } from './order-status';
import type { OrderItemRow, OrderRepository, OrderRow, StatusChangeRow } from './ports';

export const STATUS_TO_PROTO: Record<OrderStatus, proto.OrderStatus> = {
  PENDING: proto.OrderStatus.PENDING,
  CONFIRMED: proto.OrderStatus.CONFIRMED,
  PAID: proto.OrderStatus.PAID,
  SHIPPED: proto.OrderStatus.SHIPPED,
  COMPLETED: proto.OrderStatus.COMPLETED,
  CANCELLED: proto.OrderStatus.CANCELLED,
  REFUNDED: proto.OrderStatus.REFUNDED,
};

export const STATUS_FROM_PROTO = new Map<proto.OrderStatus, OrderStatus>(Object.entries(STATUS_TO_PROTO).map(([name, value]) => [value, name as OrderStatus]));

const money = (amount: string) => formatCents(parseCents(amount)!);

export function toOrder(row: OrderRow, items: OrderItemRow[]): proto.Order {
  return {
    orderId: row.id,
    userId: row.user_id,
    status: STATUS_TO_PROTO[row.status],
    lines: items.map((item) => ({ goodsId: item.goods_id, quantity: item.quantity, name: item.name, price: money(item.price) })),
    goodsAmount: money(row.goods_amount),
    shippingFee: money(row.shipping_fee),
    couponPaid: money(row.coupon_paid),
    balancePaid: money(row.balance_paid),
    payAmount: money(row.pay_amount),
    couponId: row.coupon_id ?? '',
    address: row.address,
    consignee: row.consignee,
    cancelReason: row.cancel_reason ?? '',
    createdAt: row.created_at.toISOString(),
    payDeadline: row.pay_deadline?.toISOString() ?? '',
    shippedAt: row.shipped_at?.toISOString() ?? '',
    completedAt: row.completed_at?.toISOString() ?? '',
    refundedAmount: money(row.refunded_amount),
    history: [],
  };
}

const toChange = (change: StatusChangeRow): proto.StatusChange => ({
  fromStatus: change.from_status ? STATUS_TO_PROTO[change.from_status] : proto.OrderStatus.ORDER_STATUS_UNSPECIFIED,
  toStatus: STATUS_TO_PROTO[change.to_status],
  actor: change.actor,
  reason: change.reason ?? '',
  at: change.created_at.toISOString(),
});

/** Orders with their items, in the order given. */
export async function withItems(store: OrderRepository, rows: OrderRow[]): Promise<proto.Order[]> {
  const items = await store.itemsOf(rows.map((row) => row.id));
  return rows.map((row) =>
    toOrder(
      row,
      items.filter((item) => item.order_id === row.id),
    ),
  );
}

/** One order with its items and its status history. */
export async function viewOrder(store: OrderRepository, id: string): Promise<proto.Order> {
  const row = await store.findOrder(id);
  if (!row) throw new Error(`order ${id} vanished`);
  const [order] = await withItems(store, [row]);
  return { ...order!, history: (await store.history(id)).map(toChange) };
}
