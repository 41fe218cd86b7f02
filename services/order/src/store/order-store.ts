/** SQL of the order service. Every state change is a conditional UPDATE on the current status. */
import { insertOnlyIf, isDuplicateKey, runInOneTrip, SqlStore, type Statement } from '@shop/common/db';
import { QueryTypes, type Transaction } from 'sequelize';
import { enqueueEvent, outboxInsert, wakeRelays, type OutgoingMessage } from '@shop/common/mq';
import { takeOrderedStatements } from './cart-store';
import { orderMachine, PAID_STATUSES, type OrderMove, type OrderStatus } from '../domain/order-status';
import { countOrderMove } from '../order-metrics';
import type {
  DayStatsRow,
  NewOrder,
  OrderFilter,
  PlacementFinish,
  OrderItemRow,
  OrderRepository,
  OrderRow,
  StatusChange,
  StatusChangeRow,
} from '../domain/ports';

const ORDER_COLUMNS =
  'id, user_id, status, goods_amount, shipping_fee, coupon_id, coupon_paid, balance_paid, pay_amount, address, consignee, cancel_reason, created_at, pay_deadline, shipped_at, completed_at, refunded_amount, payment_id, trace_parent';

/** A time the caller gives, with its milliseconds (a bare Date replacement would lose them), or the database's clock. */
const timeOf = (at: Date | undefined) => (at ? '?' : 'UTC_TIMESTAMP(3)');
const timeParams = (at: Date | undefined): string[] => (at ? [at.toISOString().slice(0, 23).replace('T', ' ')] : []);

/** What a move to `to` sets on the order row, besides the conditions it is made under. */
function moveSets(to: OrderStatus, change: StatusChange): { sets: string[]; params: unknown[] } {
  const sets = ['status = ?', `updated_at = ${timeOf(change.at)}`];
  const params: unknown[] = [to, ...timeParams(change.at)];
  if (to === 'CANCELLED' && change.reason !== undefined) {
    sets.push('cancel_reason = ?');
    params.push(change.reason.slice(0, 200));
  }
  if (to === 'SHIPPED') sets.push('shipped_at = UTC_TIMESTAMP(3)');
  if (to === 'COMPLETED') sets.push('completed_at = UTC_TIMESTAMP(3)');
  if (change.payDeadline !== undefined) {
    sets.push('pay_deadline = ?');
    params.push(change.payDeadline);
  }
  if (to === 'PAID' && change.paymentId !== undefined) {
    sets.push('payment_id = ?');
    params.push(change.paymentId);
  }
  return { sets, params };
}

/** The history row of a status change. */
function historyInsert(orderId: string, from: OrderStatus | null, to: OrderStatus, change: StatusChange): Statement {
  return {
    sql: `INSERT INTO order_status_history (order_id, from_status, to_status, actor, reason, created_at) VALUES (?, ?, ?, ?, ?, ${timeOf(change.at)})`,
    values: [orderId, from, to, change.actor.slice(0, 64), change.reason?.slice(0, 200) ?? null, ...timeParams(change.at)],
  };
}

export class OrderStore extends SqlStore implements OrderRepository {
  enqueue(tx: Transaction, id: string, message: OutgoingMessage): Promise<void> {
    return enqueueEvent(this.sequelize, tx, id, message);
  }

  /**
   * Inserts a PENDING order, its history row and its items in one round trip; false when the
   * user's idempotency key was used.
   */
  async insertPending(order: NewOrder): Promise<boolean> {
    const orderInsert: Statement = {
      sql: `INSERT INTO \`order\` (id, user_id, status, goods_amount, shipping_fee, coupon_id, coupon_paid, balance_paid, pay_amount,
           address, consignee, idempotency_key, request_hash, trace_parent, created_at, updated_at)
         VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${timeOf(order.createdAt)}, ${timeOf(order.createdAt)})`,
      values: [
        order.id,
        order.userId,
        order.goodsAmount,
        order.shippingFee,
        order.couponId,
        order.couponPaid,
        order.balancePaid,
        order.payAmount,
        order.address,
        order.consignee,
        order.idempotencyKey,
        order.requestHash,
        order.traceParent,
        ...timeParams(order.createdAt),
        ...timeParams(order.createdAt),
      ],
    };
    const itemsInsert: Statement = {
      sql: `INSERT INTO order_item (order_id, goods_id, name, price, quantity) VALUES ${order.items.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      values: order.items.flatMap((item) => [order.id, item.goodsId, item.name, item.price, item.quantity]),
    };
    try {
      await runInOneTrip(this.sequelize, [
        orderInsert,
        historyInsert(order.id, null, 'PENDING', { actor: `user:${order.userId}`, at: order.createdAt }),
        itemsInsert,
      ]);
      return true;
    } catch (error) {
      // The unique key a new order with a key can meet: (user_id, idempotency_key). Without a
      // key a duplicate is no answer of the user's, and stays an error.
      if (order.idempotencyKey && isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /**
   * The placement's confirmation in one round trip: the move from PENDING, its history row, its
   * event in the outbox and the ordered lines out of the cart, each written only if the order
   * was still PENDING (a user's cancel can win the race); false, and nothing written, otherwise.
   */
  async finishPlacement(finish: PlacementFinish): Promise<boolean> {
    const { id, move, change, event, cart } = finish;
    const { to } = orderMachine.moves[move];
    const { sets, params } = moveSets(to, change);
    const moved = '@moved = 1';
    const results = await runInOneTrip(this.sequelize, [
      { sql: `UPDATE \`order\` SET ${sets.join(', ')} WHERE id = ? AND status = 'PENDING'`, values: [...params, id] },
      { sql: 'SET @moved = ROW_COUNT()' },
      insertOnlyIf(historyInsert(id, 'PENDING', to, change), moved),
      insertOnlyIf(outboxInsert(event.id, event.message), moved),
      ...(cart ? takeOrderedStatements(cart.userId, cart.lines, moved) : []),
      { sql: 'SELECT @moved AS moved' },
    ]);
    const [answer] = results[results.length - 1] as { moved: string | number }[];
    if (Number(answer?.moved) !== 1) return false;
    wakeRelays();
    countOrderMove(undefined, move);
    return true;
  }

  findOrder(id: string, tx?: Transaction): Promise<OrderRow | undefined> {
    return this.one(`SELECT ${ORDER_COLUMNS} FROM \`order\` WHERE id = ?`, [id], tx);
  }

  /**
   * The order, its row locked until the transaction ends: what a refund hold and a shipment
   * take first, so that the two cannot interleave.
   */
  lockOrder(tx: Transaction, id: string): Promise<OrderRow | undefined> {
    return this.one(`SELECT ${ORDER_COLUMNS} FROM \`order\` WHERE id = ? FOR UPDATE`, [id], tx);
  }

  async findByIdempotencyKey(userId: string, key: string): Promise<(OrderRow & { request_hash: string | null }) | undefined> {
    const [row] = await this.sequelize.query<OrderRow & { request_hash: string | null }>(
      `SELECT ${ORDER_COLUMNS}, request_hash FROM \`order\` WHERE user_id = ? AND idempotency_key = ?`,
      { replacements: [userId, key], type: QueryTypes.SELECT },
    );
    return row;
  }

  itemsOf(orderIds: string[], tx?: Transaction): Promise<OrderItemRow[]> {
    if (orderIds.length === 0) return Promise.resolve([]);
    return this.sequelize.query<OrderItemRow>('SELECT order_id, goods_id, name, price, quantity FROM order_item WHERE order_id IN (?) ORDER BY goods_id', {
      replacements: [orderIds],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
  }

  async listOrders(filter: OrderFilter, offset: number, limit: number): Promise<{ rows: OrderRow[]; total: number }> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const bound = (condition: string, value: unknown) => {
      conditions.push(condition);
      params.push(value);
    };
    if (filter.userId) bound('user_id = ?', filter.userId);
    if (filter.status) bound('status = ?', filter.status);
    if (filter.createdFrom) bound('created_at >= ?', filter.createdFrom);
    if (filter.createdTo) bound('created_at < ?', filter.createdTo);
    // refusedAtPlacement (domain/ports.ts) in SQL.
    if (!filter.includeRefused) conditions.push("NOT (status = 'CANCELLED' AND pay_deadline IS NULL)");
    const where = conditions.length ? conditions.join(' AND ') : 'TRUE';
    const rows = await this.sequelize.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM \`order\` WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`, {
      replacements: [...params, limit, offset],
      type: QueryTypes.SELECT,
    });
    const [count] = await this.sequelize.query<{ total: number }>(`SELECT COUNT(*) AS total FROM \`order\` WHERE ${where}`, {
      replacements: params,
      type: QueryTypes.SELECT,
    });
    return { rows, total: Number(count?.total ?? 0) };
  }

  /**
   * Applies the move (order-status.ts) if the order is still in one of its starting statuses,
   * and records the change in its history in the same transaction; false when another actor
   * moved it first.
   */
  async transition(tx: Transaction | undefined, id: string, move: OrderMove, change: StatusChange): Promise<boolean> {
    if (!tx) return this.transaction((own) => this.transition(own, id, move, change));
    const { from, to } = orderMachine.moves[move];
    const { sets, params } = moveSets(to, change);
    // One conditional UPDATE per starting status, so the history knows which one it left.
    for (const status of from) {
      const [, affected] = await this.sequelize.query(`UPDATE \`order\` SET ${sets.join(', ')} WHERE id = ? AND status = ?`, {
        replacements: [...params, id, status],
        type: QueryTypes.UPDATE,
        transaction: tx,
      });
      if (affected === 1) {
        await this.recordChange(tx, id, status, to, change);
        countOrderMove(tx, move);
        return true;
      }
    }
    return false;
  }

  /** The `abandon` move, only for an order older than `ageMs` (a placement that never finished). */
  async cancelAbandoned(tx: Transaction | undefined, id: string, ageMs: number, change: StatusChange & { reason: string }): Promise<boolean> {
    if (!tx) return this.transaction((own) => this.cancelAbandoned(own, id, ageMs, change));
    const { from, to } = orderMachine.moves.abandon;
    const [, affected] = await this.sequelize.query(
      `UPDATE \`order\` SET status = ?, cancel_reason = ?, updated_at = UTC_TIMESTAMP(3)
       WHERE id = ? AND status = ? AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND`,
      { replacements: [to, change.reason.slice(0, 200), id, from[0], ageMs * 1000], type: QueryTypes.UPDATE, transaction: tx },
    );
    if (affected === 1) {
      await this.recordChange(tx, id, from[0], to, change);
      countOrderMove(tx, 'abandon');
    }
    return affected === 1;
  }

  /** The order's status changes, oldest first. */
  history(orderId: string): Promise<StatusChangeRow[]> {
    return this.sequelize.query<StatusChangeRow>(
      'SELECT from_status, to_status, actor, reason, created_at FROM order_status_history WHERE order_id = ? ORDER BY id',
      {
        replacements: [orderId],
        type: QueryTypes.SELECT,
      },
    );
  }

  /** One pass over the range's orders (idx_status cannot serve a range on created_at alone; the dashboard asks rarely). */
  async dailyStats(from: Date, to: Date): Promise<DayStatsRow[]> {
    // refusedAtPlacement (domain/ports.ts) and PAID_STATUSES (domain/order-status.ts) in SQL.
    const refused = "status = 'CANCELLED' AND pay_deadline IS NULL";
    const paid = `status IN (${PAID_STATUSES.map((status) => `'${status}'`).join(', ')})`;
    const rows = await this.sequelize.query<{
      day: string;
      placed: string;
      refused: string;
      paid: string;
      cancelled: string;
      revenue: string;
      refunded: string;
    }>(
      `SELECT DATE_FORMAT(created_at, '%Y-%m-%d') AS day,
         SUM(NOT (${refused})) AS placed, SUM(${refused}) AS refused, SUM(${paid}) AS paid,
         SUM(status = 'CANCELLED' AND pay_deadline IS NOT NULL) AS cancelled,
         CAST(COALESCE(SUM(CASE WHEN ${paid} THEN pay_amount + balance_paid ELSE 0 END), 0) AS CHAR) AS revenue,
         CAST(COALESCE(SUM(refunded_amount), 0) AS CHAR) AS refunded
       FROM \`order\` WHERE created_at >= ? AND created_at < ? GROUP BY day ORDER BY day`,
      { replacements: [from, to], type: QueryTypes.SELECT },
    );
    return rows.map((row) => ({
      day: row.day,
      placed: Number(row.placed),
      refused: Number(row.refused),
      paid: Number(row.paid),
      cancelled: Number(row.cancelled),
      revenue: row.revenue,
      refunded: row.refunded,
    }));
  }

  /** SHIPPED orders shipped more than `ageMs` ago, oldest first. */
  async shippedBeforeIds(ageMs: number, limit: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      "SELECT id FROM `order` WHERE status = 'SHIPPED' AND shipped_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND ORDER BY shipped_at LIMIT ?",
      { replacements: [ageMs * 1000, limit], type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.id);
  }

  private async recordChange(tx: Transaction, orderId: string, from: OrderStatus | null, to: OrderStatus, change: StatusChange): Promise<void> {
    const { sql, values } = historyInsert(orderId, from, to, change);
    await this.sequelize.query(sql, { replacements: values, type: QueryTypes.INSERT, transaction: tx });
  }

  /** PENDING orders older than `ageMs`, oldest first. */
  async abandonedIds(ageMs: number, limit: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      "SELECT id FROM `order` WHERE status = 'PENDING' AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND ORDER BY created_at LIMIT ?",
      { replacements: [ageMs * 1000, limit], type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.id);
  }

  /** CONFIRMED (unpaid) orders whose pay deadline passed more than `graceMs` ago. */
  async overdueConfirmedIds(graceMs: number, limit: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      "SELECT id FROM `order` WHERE status = 'CONFIRMED' AND pay_deadline < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND ORDER BY pay_deadline LIMIT ?",
      { replacements: [graceMs * 1000, limit], type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.id);
  }

  private async one(sql: string, replacements: unknown[], transaction?: Transaction): Promise<OrderRow | undefined> {
    const [row] = await this.sequelize.query<OrderRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return row;
  }
}
