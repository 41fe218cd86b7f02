/**
 * The order as the domain shows it, built from its rows: amounts as decimal strings, times as
 * ISO strings, statuses as the domain's names. The RPC layer maps it to the proto message
 * (rpc/order-mapping.ts); nothing here knows the wire format.
 */
import { formatCents, parseCents } from '@shop/common/money';
import type { OrderStatus } from './order-status';
import { refusedAtPlacement, type OrderItemRow, type OrderRepository, type OrderRow, type StatusChangeRow } from './ports';

export interface OrderLineView {
  goodsId: string;
  quantity: number;
  /** Name and unit price at the time of the order. */
  name: string;
  price: string;
}

export interface StatusChangeView {
  /** null for the first row (the order was created in `toStatus`). */
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actor: string;
  reason: string;
  at: string;
}

export interface OrderView {
  orderId: string;
  userId: string;
  status: OrderStatus;
  lines: OrderLineView[];
  goodsAmount: string;
  shippingFee: string;
  couponPaid: string;
  balancePaid: string;
  payAmount: string;
  /** '' when the order has no coupon; the same for the other optional strings. */
  couponId: string;
  address: string;
  consignee: string;
  cancelReason: string;
  createdAt: string;
  payDeadline: string;
  shippedAt: string;
  completedAt: string;
  refundedAmount: string;
  /** Refused at placement or abandoned before its confirmation (ports.ts, refusedAtPlacement). */
  refusedAtPlacement: boolean;
  /** The placement's W3C traceparent ('' when it was not traced). */
  traceParent: string;
  /** The payment that paid the order ('' until paid, when paid in full, and for orders paid before it was recorded). */
  paymentId: string;
  /** Filled by viewOrder only: lists leave it empty. */
  history: StatusChangeView[];
}

const money = (amount: string) => formatCents(parseCents(amount)!);

export function toOrderView(row: OrderRow, items: OrderItemRow[]): OrderView {
  return {
    orderId: row.id,
    userId: row.user_id,
    status: row.status,
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
    refusedAtPlacement: refusedAtPlacement(row),
    traceParent: row.trace_parent ?? '',
    paymentId: row.payment_id ?? '',
    history: [],
  };
}

const toChange = (change: StatusChangeRow): StatusChangeView => ({
  fromStatus: change.from_status,
  toStatus: change.to_status,
  actor: change.actor,
  reason: change.reason ?? '',
  at: change.created_at.toISOString(),
});

/** Orders with their items, in the order given. */
export async function withItems(store: OrderRepository, rows: OrderRow[]): Promise<OrderView[]> {
  const items = await store.itemsOf(rows.map((row) => row.id));
  return rows.map((row) =>
    toOrderView(
      row,
      items.filter((item) => item.order_id === row.id),
    ),
  );
}

/** One order with its items and its status history. */
export async function viewOrder(store: OrderRepository, id: string): Promise<OrderView> {
  const row = await store.findOrder(id);
  if (!row) throw new Error(`order ${id} vanished`);
  return fullView(row, await store.itemsOf([id]), await store.history(id));
}

/** The order with its items (in goods id order, as the store lists them) and its history, oldest first. */
export function fullView(row: OrderRow, items: OrderItemRow[], history: StatusChangeRow[]): OrderView {
  return { ...toOrderView(row, items), history: history.map(toChange) };
}
