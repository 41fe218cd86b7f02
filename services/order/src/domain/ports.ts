/**
 * The ports of the order domain: what it needs from the world, as interfaces. The stores (SQL)
 * and the RPC clients implement them in production; the unit tests implement them in memory
 * (test/unit/fakes). The records here are the domain's own types, not proto messages.
 */
import type { DomainError } from '@shop/common/errors';
import type { OutgoingMessage } from '@shop/common/mq';
import type { OrderLineInput } from '@shop/contracts';
import type { Transaction } from 'sequelize';
import type { OrderMove, OrderStatus } from './order-status';

/** A database transaction: the domain only hands it back to the repositories. */
export type Tx = Transaction;

export interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  goods_amount: string;
  shipping_fee: string;
  coupon_id: string | null;
  coupon_paid: string;
  balance_paid: string;
  pay_amount: string;
  address: string;
  consignee: string;
  cancel_reason: string | null;
  created_at: Date;
  pay_deadline: Date | null;
  shipped_at: Date | null;
  completed_at: Date | null;
  refunded_amount: string;
}

export interface StatusChangeRow {
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  actor: string;
  reason: string | null;
  created_at: Date;
}

/**
 * What a status change records besides the new status. `actor` says who moved the order
 * ("user:<id>", "admin:<id>", "system:<what>"); `reason` is kept in the history and, for a
 * cancellation, as the order's cancel reason.
 */
export interface StatusChange {
  actor: string;
  reason?: string;
  /** Sets the pay deadline (confirmation). */
  payDeadline?: Date;
}

export interface OrderItemRow {
  order_id: string;
  goods_id: string;
  name: string;
  price: string;
  quantity: number;
}

export interface NewOrder {
  id: string;
  userId: string;
  goodsAmount: string;
  shippingFee: string;
  couponId: string | null;
  couponPaid: string;
  balancePaid: string;
  payAmount: string;
  address: string;
  consignee: string;
  idempotencyKey: string | null;
  items: { goodsId: string; name: string; price: string; quantity: number }[];
}

export interface CartRow {
  goods_id: string;
  quantity: number;
  checked: boolean;
}

/** The orders, their items and their status history, and the outbox of the same database. */
export interface OrderRepository {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Inserts a PENDING order and its items; false when the user's idempotency key was used. */
  insertPending(order: NewOrder): Promise<boolean>;
  findOrder(id: string, tx?: Tx): Promise<OrderRow | undefined>;
  /** Reads the order and locks its row until the transaction ends. */
  lockOrder(tx: Tx, id: string): Promise<OrderRow | undefined>;
  findByIdempotencyKey(userId: string, key: string): Promise<OrderRow | undefined>;
  itemsOf(orderIds: string[], tx?: Tx): Promise<OrderItemRow[]>;
  listOrders(userId: string, status: OrderStatus | undefined, offset: number, limit: number): Promise<{ rows: OrderRow[]; total: number }>;
  /** Applies the move if the order is in one of its starting statuses, with its history row; false otherwise. */
  transition(tx: Tx | undefined, id: string, move: OrderMove, change: StatusChange): Promise<boolean>;
  /** The `abandon` move, only for an order older than `ageMs`. */
  cancelAbandoned(tx: Tx | undefined, id: string, ageMs: number, change: StatusChange & { reason: string }): Promise<boolean>;
  history(orderId: string): Promise<StatusChangeRow[]>;
  /** Writes a message to the outbox within the transaction; the relay sends it after the commit. */
  enqueue(tx: Tx, id: string, message: OutgoingMessage): Promise<void>;
}

/** The carts: one line per (user, goods). */
export interface CartRepository {
  items(userId: string, tx?: Tx): Promise<CartRow[]>;
  /** Runs `change` with the user's cart locked (one change at a time per cart). */
  locked<T>(userId: string, change: (tx: Tx, current: CartRow[]) => Promise<T>): Promise<T>;
  put(tx: Tx, userId: string, goodsId: string, quantity: number, checked: boolean): Promise<void>;
  add(tx: Tx, userId: string, goodsId: string, quantity: number, checked: boolean): Promise<void>;
  remove(userId: string, goodsId: string): Promise<void>;
  clear(userId: string): Promise<void>;
  /** Takes the ordered quantities out of the cart, within the confirming transaction. */
  takeOrdered(tx: Tx, userId: string, lines: OrderLineInput[]): Promise<void>;
}

export interface GoodsInfo {
  goodsId: string;
  name: string;
  price: string;
  onSale: boolean;
}

/** What placement reads from other services to price an order. */
export interface Catalogue {
  goods(goodsIds: string[]): Promise<GoodsInfo[]>;
  coupon(couponId: string): Promise<{ userId: string; amount: string } | undefined>;
}

/** The reservations, each idempotent by order id; an expected refusal is a DomainError value. */
export interface Reservations {
  reduceStock(orderId: string, lines: OrderLineInput[]): Promise<void | DomainError>;
  useCoupon(orderId: string, userId: string, couponId: string): Promise<void | DomainError>;
  reduceBalance(orderId: string, userId: string, amount: string): Promise<void | DomainError>;
}
