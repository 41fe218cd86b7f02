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
  /**
   * The payment that paid the order (pay.succeeded or the deadline's settlement); null before it
   * is paid, when paid in full without one, and for orders paid before the column existed.
   */
  payment_id: string | null;
  /** The placement's W3C traceparent (null when it was not traced). */
  trace_parent?: string | null;
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
  /** Records the payment that paid the order (a move to PAID): another payment of it is then refunded. */
  paymentId?: string;
  /** When the change happened; the database's clock when absent. Placement gives it, so that it can answer without reading the order back. */
  at?: Date;
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
  /** What the request asked (placement.ts, requestHash): a key reused for another request is refused. */
  requestHash: string | null;
  items: { goodsId: string; name: string; price: string; quantity: number }[];
  /** When the order was placed (millisecond precision, as stored); the database's clock when absent. */
  createdAt?: Date;
  /** The placement's trace (W3C traceparent), kept for the work done later for this order (its payment). */
  traceParent: string | null;
}

export interface CartRow {
  goods_id: string;
  quantity: number;
  checked: boolean;
}

export interface DayStatsRow {
  /** YYYY-MM-DD, UTC. */
  day: string;
  placed: number;
  refused: number;
  paid: number;
  cancelled: number;
  /** Decimal strings. */
  revenue: string;
  refunded: string;
}

/** Which orders a list shows; every bound optional. */
export interface OrderFilter {
  /** The owner; undefined: every user's orders. */
  userId?: string;
  status?: OrderStatus;
  /** Include orders refused at placement ({@link refusedAtPlacement}). */
  includeRefused: boolean;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created before. */
  createdTo?: Date;
}

/**
 * An order refused at placement (or abandoned before its confirmation): CANCELLED without ever
 * getting a pay deadline, which only the confirmation sets. The SQL store's list says the same
 * in SQL (`pay_deadline IS NULL`).
 */
export const refusedAtPlacement = (row: Pick<OrderRow, 'status' | 'pay_deadline'>): boolean => row.status === 'CANCELLED' && row.pay_deadline === null;

/** What the placement's confirmation writes (OrderRepository.finishPlacement). */
export interface PlacementFinish {
  id: string;
  move: 'confirm' | 'payInFull';
  change: StatusChange;
  /** The event the move announces: the pay deadline's timer, or order.paid. */
  event: { id: string; message: OutgoingMessage };
  /** Placed from the user's cart: the ordered lines leave it with the confirmation, never before. */
  cart?: { userId: string; lines: OrderLineInput[] };
}

/** The orders, their items and their status history, and the outbox of the same database. */
export interface OrderRepository {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Inserts a PENDING order and its items; false when the user's idempotency key was used. */
  insertPending(order: NewOrder): Promise<boolean>;
  /**
   * The placement's confirmation, as one transaction: the move from PENDING with its history
   * row, its event in the outbox, the ordered lines out of the cart; false, and nothing written,
   * when the order was no longer PENDING.
   */
  finishPlacement(finish: PlacementFinish): Promise<boolean>;
  findOrder(id: string, tx?: Tx): Promise<OrderRow | undefined>;
  /** Reads the order and locks its row until the transaction ends. */
  lockOrder(tx: Tx, id: string): Promise<OrderRow | undefined>;
  /** The order placed with the user's key, and the hash of the request that placed it (null for orders older than the hash). */
  findByIdempotencyKey(userId: string, key: string): Promise<(OrderRow & { request_hash: string | null }) | undefined>;
  itemsOf(orderIds: string[], tx?: Tx): Promise<OrderItemRow[]>;
  /** Newest first. */
  listOrders(filter: OrderFilter, offset: number, limit: number): Promise<{ rows: OrderRow[]; total: number }>;
  /** Applies the move if the order is in one of its starting statuses, with its history row; false otherwise. */
  transition(tx: Tx | undefined, id: string, move: OrderMove, change: StatusChange): Promise<boolean>;
  /** The `abandon` move, only for an order older than `ageMs`. */
  cancelAbandoned(tx: Tx | undefined, id: string, ageMs: number, change: StatusChange & { reason: string }): Promise<boolean>;
  history(orderId: string): Promise<StatusChangeRow[]>;
  /** Counts and sums per UTC day of creation, in [from, to); days without orders are absent. */
  dailyStats(from: Date, to: Date): Promise<DayStatsRow[]>;
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
}

/** Refunds as the order sees them: a hold per refund, while the pay service carries it out. */
export type HoldKind = 'CUSTOMER' | 'AFTER_SALES';
export type HoldStatus = 'OPEN' | 'SUCCEEDED' | 'FAILED';

export interface HoldRow {
  refund_id: string;
  order_id: string;
  kind: HoldKind;
  status: HoldStatus;
  amount: string;
  alipay_amount: string;
  balance_amount: string;
  points: string;
  /** JSON of RefundLine[]. */
  restock: string;
  release_coupon: number;
  completes_order: number;
  after_sales_id: string | null;
}

export type AfterSalesStatus = 'OPEN' | 'APPROVED' | 'REJECTED' | 'REFUNDED' | 'REFUND_FAILED';

export interface AfterSalesRow {
  id: string;
  order_id: string;
  user_id: string;
  status: AfterSalesStatus;
  reason: string;
  amount: string | null;
  idempotency_key: string | null;
  decided_by: string | null;
  note: string | null;
  refund_id: string | null;
  created_at: Date;
  decided_at: Date | null;
}

/** The refund holds and after-sales requests (the order's side of a refund). */
export interface RefundHoldRepository {
  /** Reads the hold; with a transaction, locks its row until the transaction ends. */
  findHold(refundId: string, tx?: Tx): Promise<HoldRow | undefined>;
  /** The order's holds (read under the order's row lock by the caller). */
  holdsOf(tx: Tx, orderId: string): Promise<HoldRow[]>;
  insertHold(tx: Tx, row: Omit<HoldRow, 'status'>): Promise<void>;
  /** OPEN -> SUCCEEDED or FAILED; false when it had ended already. */
  finishHold(tx: Tx, refundId: string, status: Exclude<HoldStatus, 'OPEN'>, reason: string): Promise<boolean>;
  addRefunded(tx: Tx, orderId: string, amount: string): Promise<void>;
  /** Inserts an OPEN after-sales request; false when the user's idempotency key was used. */
  insertAfterSales(
    tx: Tx,
    row: { id: string; orderId: string; userId: string; reason: string; amount: string | null; idempotencyKey: string | null },
  ): Promise<boolean>;
  findAfterSales(id: string, tx?: Tx): Promise<AfterSalesRow | undefined>;
  findAfterSalesByKey(userId: string, key: string): Promise<AfterSalesRow | undefined>;
  /** The order's after-sales requests still being handled (OPEN or APPROVED). */
  activeAfterSalesOf(tx: Tx, orderId: string): Promise<AfterSalesRow[]>;
  listAfterSales(filter: { orderId?: string; status?: AfterSalesStatus }, offset: number, limit: number): Promise<{ rows: AfterSalesRow[]; total: number }>;
  /** Moves a request from one status to another; false when it was elsewhere. */
  moveAfterSales(
    tx: Tx,
    id: string,
    from: AfterSalesStatus[],
    to: AfterSalesStatus,
    extra?: { decidedBy?: string; note?: string; refundId?: string },
  ): Promise<boolean>;
}

export interface GoodsInfo {
  goodsId: string;
  name: string;
  price: string;
  onSale: boolean;
  /**
   * Units left when read. A placement asking more is refused before anything is written (the
   * flash sale's sold-out case); one asking less may still lose the units to a concurrent order
   * at the reservation, which alone decides.
   */
  stock?: number;
}

/** What placement reads from other services to price an order. */
export interface Catalogue {
  /**
   * The goods as the goods service has them now, or with 'recent' as they were read at most a
   * moment ago (a catalogue that keeps recent reads, clients/recent-goods.ts; one that keeps
   * none reads them now). A recent read may be stale by that moment: placement prices from it
   * and its stock reservation takes the units only at that price (PRICE_CHANGED otherwise).
   */
  goods(goodsIds: string[], freshness?: 'now' | 'recent'): Promise<GoodsInfo[]>;
  /** Drops what a 'recent' read would answer for these goods (their reservation was refused). */
  forgetGoods?(goodsIds: string[]): void;
  coupon(couponId: string): Promise<{ userId: string; amount: string; used: boolean } | undefined>;
  /** The user's balance now, a decimal string. */
  balance(userId: string): Promise<string>;
}

/** The reservations, each idempotent by order id; an expected refusal is a DomainError value. */
export interface Reservations {
  /** Takes the lines' units, each only at the unit price the order was priced at. */
  reduceStock(orderId: string, lines: (OrderLineInput & { price: string })[]): Promise<void | DomainError>;
  useCoupon(orderId: string, userId: string, couponId: string): Promise<void | DomainError>;
  reduceBalance(orderId: string, userId: string, amount: string): Promise<void | DomainError>;
}
