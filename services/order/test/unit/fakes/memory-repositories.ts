/**
 * In-memory implementations of the order domain's ports (src/domain/ports.ts), for unit tests:
 * the same contracts as the SQL stores (conditional moves with their history rows, unique
 * idempotency keys, an outbox written in the transaction), with a transaction that is rolled
 * back when its work throws, and a clock the test moves.
 */
import type { OutgoingMessage } from '@shop/common/mq';
import { MAX_QUANTITY, type OrderLineInput } from '@shop/contracts';
import { formatCents, parseCents } from '@shop/common/money';
import { placedRow } from '../../../src/domain/placement';
import { orderMachine, PAID_STATUSES, type OrderMove, type OrderStatus } from '../../../src/domain/order-status';
import {
  refusedAtPlacement,
  type CartRepository,
  type CartRow,
  type DayStatsRow,
  type NewOrder,
  type OrderFilter,
  type OrderItemRow,
  type OrderRepository,
  type OrderRow,
  type PlacementFinish,
  type StatusChange,
  type StatusChangeRow,
  type Tx,
} from '../../../src/domain/ports';

export class Clock {
  constructor(public ms = Date.parse('2026-12-05T10:00:00Z')) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

interface OrderState {
  orders: Map<string, OrderRow>;
  keys: Map<string, string>;
  items: OrderItemRow[];
  history: (StatusChangeRow & { order_id: string })[];
  outbox: OutgoingMessage[];
}

const copy = (state: OrderState): OrderState => ({
  orders: new Map([...state.orders].map(([id, row]) => [id, { ...row }])),
  keys: new Map(state.keys),
  items: [...state.items],
  history: [...state.history],
  outbox: [...state.outbox],
});

/** A transaction handle: the fakes ignore it, as the domain only hands it back. */
const TX = {} as Tx;

export class MemoryOrders implements OrderRepository {
  private state: OrderState = { orders: new Map(), keys: new Map(), items: [], history: [], outbox: [] };
  /** request_hash of the orders placed with a key (written once, with the row). */
  private readonly requestHashes = new Map<string, string>();
  /** Set by a test to fail the next transaction's commit (a database that went away). */
  failNextCommit = false;

  /** `sameDatabase`: other repositories whose writes commit and roll back with these (the carts). */
  constructor(
    private readonly clock = new Clock(),
    private readonly sameDatabase: { snapshot(): () => void }[] = [],
  ) {}

  /** What the relay would send, in the order it was written. */
  get outbox(): readonly OutgoingMessage[] {
    return this.state.outbox;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const before = copy(this.state);
    const restoreOthers = this.sameDatabase.map((repository) => repository.snapshot());
    try {
      const result = await work(TX);
      if (this.failNextCommit) {
        this.failNextCommit = false;
        throw new Error('connection lost at commit');
      }
      return result;
    } catch (error) {
      this.state = before;
      for (const restore of restoreOthers) restore();
      throw error;
    }
  }

  async insertPending(order: NewOrder): Promise<boolean> {
    const key = order.idempotencyKey && `${order.userId}/${order.idempotencyKey}`;
    if (key && this.state.keys.has(key)) return false;
    if (key) this.state.keys.set(key, order.id);
    if (order.requestHash) this.requestHashes.set(order.id, order.requestHash);
    this.state.orders.set(order.id, placedRow({ ...order, createdAt: order.createdAt ?? this.clock.now() }));
    this.record(order.id, null, 'PENDING', { actor: `user:${order.userId}`, at: order.createdAt });
    for (const item of order.items)
      this.state.items.push({ order_id: order.id, goods_id: item.goodsId, name: item.name, price: item.price, quantity: item.quantity });
    return true;
  }

  /** As the SQL store does it in one trip: all of it, or nothing when the order left PENDING. */
  async finishPlacement({ id, move, change, event, cart }: PlacementFinish): Promise<boolean> {
    return this.transaction(async (tx) => {
      if (!(await this.transition(tx, id, move, change))) return false;
      await this.enqueue(tx, event.id, event.message);
      if (cart) await this.carts().takeOrdered(cart.userId, cart.lines);
      return true;
    });
  }

  private carts(): MemoryCarts {
    const carts = this.sameDatabase.find((repository): repository is MemoryCarts => repository instanceof MemoryCarts);
    if (!carts) throw new Error('MemoryOrders needs the MemoryCarts among sameDatabase to place from a cart');
    return carts;
  }

  async findOrder(id: string): Promise<OrderRow | undefined> {
    const row = this.state.orders.get(id);
    return row && { ...row };
  }

  lockOrder(_tx: Tx, id: string): Promise<OrderRow | undefined> {
    return this.findOrder(id);
  }

  async findByIdempotencyKey(userId: string, key: string): Promise<(OrderRow & { request_hash: string | null }) | undefined> {
    const id = this.state.keys.get(`${userId}/${key}`);
    const row = id === undefined ? undefined : await this.findOrder(id);
    return row && { ...row, request_hash: this.requestHashes.get(row.id) ?? null };
  }

  async itemsOf(orderIds: string[]): Promise<OrderItemRow[]> {
    return this.state.items.filter((item) => orderIds.includes(item.order_id));
  }

  async listOrders(filter: OrderFilter, offset: number, limit: number): Promise<{ rows: OrderRow[]; total: number }> {
    const rows = [...this.state.orders.values()]
      .filter(
        (row) =>
          (!filter.userId || row.user_id === filter.userId) &&
          (!filter.status || row.status === filter.status) &&
          (filter.includeRefused || !refusedAtPlacement(row)) &&
          (!filter.createdFrom || row.created_at >= filter.createdFrom) &&
          (!filter.createdTo || row.created_at < filter.createdTo),
      )
      .reverse();
    return { rows: rows.slice(offset, offset + limit), total: rows.length };
  }

  async transition(_tx: Tx | undefined, id: string, move: OrderMove, change: StatusChange): Promise<boolean> {
    const row = this.state.orders.get(id);
    const { from, to } = orderMachine.moves[move];
    if (!row || !(from as readonly OrderStatus[]).includes(row.status)) return false;
    const left = row.status;
    row.status = to;
    if (to === 'CANCELLED' && change.reason !== undefined) row.cancel_reason = change.reason.slice(0, 200);
    if (to === 'SHIPPED') row.shipped_at = this.clock.now();
    if (to === 'COMPLETED') row.completed_at = this.clock.now();
    if (change.payDeadline) row.pay_deadline = change.payDeadline;
    if (to === 'PAID' && change.paymentId !== undefined) row.payment_id = change.paymentId;
    this.record(id, left, to, change);
    return true;
  }

  async cancelAbandoned(tx: Tx | undefined, id: string, ageMs: number, change: StatusChange & { reason: string }): Promise<boolean> {
    const row = this.state.orders.get(id);
    if (!row || row.created_at.getTime() >= this.clock.ms - ageMs) return false;
    return this.transition(tx, id, 'abandon', change);
  }

  async history(orderId: string): Promise<StatusChangeRow[]> {
    return this.state.history.filter((change) => change.order_id === orderId);
  }

  async dailyStats(from: Date, to: Date): Promise<DayStatsRow[]> {
    const days = new Map<string, DayStatsRow>();
    const cents = (amount: string) => parseCents(amount)!;
    for (const row of this.state.orders.values()) {
      if (row.created_at < from || row.created_at >= to) continue;
      const day = row.created_at.toISOString().slice(0, 10);
      const stats = days.get(day) ?? { day, placed: 0, refused: 0, paid: 0, cancelled: 0, revenue: '0.00', refunded: '0.00' };
      const paid = PAID_STATUSES.includes(row.status);
      if (refusedAtPlacement(row)) stats.refused++;
      else stats.placed++;
      if (paid) stats.paid++;
      if (row.status === 'CANCELLED' && row.pay_deadline !== null) stats.cancelled++;
      if (paid) stats.revenue = formatCents(cents(stats.revenue) + cents(row.pay_amount) + cents(row.balance_paid));
      stats.refunded = formatCents(cents(stats.refunded) + cents(row.refunded_amount));
      days.set(day, stats);
    }
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  async enqueue(_tx: Tx, _id: string, message: OutgoingMessage): Promise<void> {
    this.state.outbox.push(message);
  }

  private record(orderId: string, from: OrderStatus | null, to: OrderStatus, change: StatusChange): void {
    this.state.history.push({
      order_id: orderId,
      from_status: from,
      to_status: to,
      actor: change.actor,
      reason: change.reason ?? null,
      created_at: change.at ?? this.clock.now(),
    });
  }
}

export class MemoryCarts implements CartRepository {
  private lines = new Map<string, CartRow[]>();

  /** The carts as they are now; calling the result puts them back (a rolled-back transaction). */
  snapshot(): () => void {
    const saved = new Map([...this.lines].map(([userId, rows]) => [userId, rows.map((row) => ({ ...row }))]));
    return () => void (this.lines = saved);
  }

  async items(userId: string): Promise<CartRow[]> {
    return (this.lines.get(userId) ?? []).map((row) => ({ ...row }));
  }

  async locked<T>(userId: string, change: (tx: Tx, current: CartRow[]) => Promise<T>): Promise<T> {
    return change(TX, await this.items(userId));
  }

  async put(_tx: Tx, userId: string, goodsId: string, quantity: number, checked: boolean): Promise<void> {
    const rows = this.rows(userId);
    const row = rows.find((r) => r.goods_id === goodsId);
    if (row) Object.assign(row, { quantity, checked });
    else rows.push({ goods_id: goodsId, quantity, checked });
  }

  async add(_tx: Tx, userId: string, goodsId: string, quantity: number, checked: boolean): Promise<void> {
    const rows = this.rows(userId);
    const row = rows.find((r) => r.goods_id === goodsId);
    if (row) Object.assign(row, { quantity: Math.min(row.quantity + quantity, MAX_QUANTITY), checked: row.checked || checked });
    else rows.push({ goods_id: goodsId, quantity, checked });
  }

  async remove(userId: string, goodsId: string): Promise<void> {
    this.lines.set(
      userId,
      this.rows(userId).filter((row) => row.goods_id !== goodsId),
    );
  }

  async clear(userId: string): Promise<void> {
    this.lines.delete(userId);
  }

  /** What finishPlacement takes out of the cart. */
  async takeOrdered(userId: string, lines: OrderLineInput[]): Promise<void> {
    for (const { goodsId, quantity } of lines) {
      const row = this.rows(userId).find((r) => r.goods_id === goodsId);
      if (row && row.quantity <= quantity) await this.remove(userId, goodsId);
      else if (row) row.quantity -= quantity;
    }
  }

  private rows(userId: string): CartRow[] {
    if (!this.lines.has(userId)) this.lines.set(userId, []);
    return this.lines.get(userId)!;
  }
}
