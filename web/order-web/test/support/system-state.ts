/**
 * Reads the services' own tables, so that the end-to-end specs assert the state itself (stock,
 * coupon, balance, order rows), not only what the API answers.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { loadInfraConfig, TEST_SCHEMAS } from '@shop/common/config';
import { openDatabase } from '@shop/common/db';

export class SystemState {
  private constructor(private readonly db: Record<'goods' | 'coupon' | 'user' | 'order' | 'pay', Sequelize>) {}

  static async open(): Promise<SystemState> {
    const mysql = loadInfraConfig().mysql;
    const open = (schema: string) => openDatabase({ ...mysql, poolMax: 2 }, schema);
    return new SystemState({
      goods: await open(TEST_SCHEMAS.goods),
      coupon: await open(TEST_SCHEMAS.coupon),
      user: await open(TEST_SCHEMAS.user),
      order: await open(TEST_SCHEMAS.order),
      pay: await open(TEST_SCHEMAS.pay),
    });
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.db).map((db) => db.close()));
  }

  private async one<T extends object>(db: Sequelize, sql: string, replacements: unknown[]): Promise<T | undefined> {
    return (await db.query<T>(sql, { replacements, type: QueryTypes.SELECT }))[0];
  }

  async stock(goodsId: string): Promise<number> {
    return (await this.one<{ stock: number }>(this.db.goods, 'SELECT stock FROM goods WHERE id = ?', [goodsId]))!.stock;
  }

  /** The goods' category and picture as stored. */
  async goodsRow(goodsId: string): Promise<{ category_id: string | null; description: string; image_key: string | null }> {
    return (await this.one<{ category_id: string | null; description: string; image_key: string | null }>(
      this.db.goods,
      'SELECT category_id, description, image_key FROM goods WHERE id = ?',
      [goodsId],
    ))!;
  }

  /** The account's id by name; undefined when no such account exists. */
  async userIdOf(username: string): Promise<string | undefined> {
    return (await this.one<{ id: string }>(this.db.user, 'SELECT id FROM user WHERE username = ?', [username]))?.id;
  }

  async usernameOf(userId: string): Promise<string> {
    return (await this.one<{ username: string }>(this.db.user, 'SELECT username FROM user WHERE id = ?', [userId]))!.username;
  }

  /** The user's sign-in sessions, oldest first: why each ended (null: live). */
  async sessionsOf(userId: string): Promise<{ id: string; end_reason: string | null }[]> {
    return this.db.user.query('SELECT id, end_reason FROM user_session WHERE user_id = ? ORDER BY id', { replacements: [userId], type: QueryTypes.SELECT });
  }

  async balance(userId: string): Promise<string> {
    return (await this.one<{ balance: string }>(this.db.user, 'SELECT balance FROM user WHERE id = ?', [userId]))!.balance;
  }

  async points(userId: string): Promise<string> {
    return (await this.one<{ points: string }>(this.db.user, 'SELECT points FROM user WHERE id = ?', [userId]))!.points;
  }

  async payment(paymentId: string): Promise<{ status: string; amount: string; refunded_amount: string } | undefined> {
    return this.one(this.db.pay, 'SELECT status, amount, refunded_amount FROM trade_pay WHERE id = ?', [paymentId]);
  }

  /** The order's current payment (its latest attempt). */
  async paymentOfOrder(orderId: string): Promise<{ id: string; status: string; amount: string; channel: string } | undefined> {
    return this.one(this.db.pay, 'SELECT id, status, amount, channel FROM trade_pay WHERE order_id = ? ORDER BY attempt DESC LIMIT 1', [orderId]);
  }

  /** Every payment of the order, first attempt first (a switch of channel adds one). */
  async paymentsOfOrder(orderId: string): Promise<{ id: string; status: string; channel: string; superseded: number }[]> {
    return this.db.pay.query('SELECT id, status, channel, superseded_at IS NOT NULL AS superseded FROM trade_pay WHERE order_id = ? ORDER BY attempt', {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
  }

  async payLog(paymentId: string): Promise<string[]> {
    const rows = await this.db.pay.query<{ event: string }>('SELECT event FROM pay_log WHERE payment_id = ? ORDER BY created_at, id', {
      replacements: [paymentId],
      type: QueryTypes.SELECT,
    });
    return rows.map((row) => row.event);
  }

  async coupon(couponId: string): Promise<{ used: number; order_id: string | null }> {
    return (await this.one<{ used: number; order_id: string | null }>(this.db.coupon, 'SELECT used, order_id FROM coupon WHERE id = ?', [couponId]))!;
  }

  async order(
    orderId: string,
  ): Promise<{ status: string; cancel_reason: string | null; refunded_amount: string; pay_deadline: Date | null; updated_at: Date } | undefined> {
    // Every column, so that the specs also read the tables of an older schema (run against older code).
    return this.one(this.db.order, 'SELECT * FROM `order` WHERE id = ?', [orderId]);
  }

  async ordersOf(userId: string): Promise<{ id: string; status: string }[]> {
    return this.db.order.query('SELECT id, status FROM `order` WHERE user_id = ? ORDER BY id', { replacements: [userId], type: QueryTypes.SELECT });
  }

  /** Whether each service recorded the order as released (its release ledger). */
  async released(orderId: string): Promise<{ goods: boolean; coupon: boolean; user: boolean }> {
    const has = async (db: Sequelize, table: string) =>
      (await this.one(db, `SELECT order_id FROM ${table} WHERE order_id = ? AND status = 'RELEASED'`, [orderId])) !== undefined;
    return {
      goods: await has(this.db.goods, 'goods_order_release'),
      coupon: await has(this.db.coupon, 'coupon_order_release'),
      user: await has(this.db.user, 'user_order_release'),
    };
  }

  /** The goods' change log, oldest first: who, why, and each field's [before, after]. */
  async goodsChanges(goodsId: string): Promise<{ operator: string; reason: string; changes: Record<string, [unknown, unknown]> }[]> {
    const rows = await this.db.goods.query<{ operator: string; reason: string; changes: string }>(
      'SELECT operator, reason, changes FROM goods_change_log WHERE goods_id = ? ORDER BY created_at',
      { replacements: [goodsId], type: QueryTypes.SELECT },
    );
    return rows.map((row) => ({ ...row, changes: typeof row.changes === 'string' ? JSON.parse(row.changes) : row.changes }));
  }

  /** Units goods_number_log says the order holds (TAKEN, not released). */
  async unitsTaken(orderId: string): Promise<number> {
    const row = await this.one<{ units: string | null }>(
      this.db.goods,
      "SELECT SUM(quantity) AS units FROM goods_number_log WHERE order_id = ? AND status = 'TAKEN'",
      [orderId],
    );
    return Number(row?.units ?? 0);
  }

  /** Rows of each release consumer's consume log for (tag, key): 1 once handled, never more. */
  async consumeLogRows(tag: string, key: string): Promise<{ goods: number; coupon: number; user: number }> {
    const count = async (db: Sequelize) =>
      Number((await this.one<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM mq_consumer_log WHERE tag = ? AND message_key = ?', [tag, key]))!.n);
    return { goods: await count(this.db.goods), coupon: await count(this.db.coupon), user: await count(this.db.user) };
  }

  async balanceTaken(orderId: string): Promise<string | undefined> {
    return (await this.one<{ amount: string }>(this.db.user, "SELECT amount FROM user_money_log WHERE order_id = ? AND type = 'REDUCE'", [orderId]))?.amount;
  }

  /** The user's cart rows as stored, in goods id order. */
  async cart(userId: string): Promise<{ goods_id: string; quantity: number; checked: number }[]> {
    return this.db.order.query('SELECT goods_id, quantity, checked FROM cart_item WHERE user_id = ? ORDER BY goods_id', {
      replacements: [userId],
      type: QueryTypes.SELECT,
    });
  }

  async statusHistory(orderId: string): Promise<{ from_status: string | null; to_status: string; actor: string }[]> {
    return this.db.order.query('SELECT from_status, to_status, actor FROM order_status_history WHERE order_id = ? ORDER BY id', {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
  }

  /** The order's refunds as the pay service records them, oldest first. */
  async refunds(orderId: string): Promise<
    {
      id: string;
      kind: string;
      status: string;
      amount: string;
      alipay_amount: string;
      balance_amount: string;
      points: string;
      restock: string | null;
      failure_reason: string | null;
    }[]
  > {
    return this.db.pay.query('SELECT * FROM refund WHERE order_id = ? ORDER BY id', {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
  }

  /** The order service's holds of the order's refunds. */
  async holds(orderId: string): Promise<{ refund_id: string; status: string; amount: string }[]> {
    return this.db.order.query('SELECT refund_id, status, amount FROM order_refund WHERE order_id = ? ORDER BY refund_id', {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
  }

  /** Tags of the events a service's outbox holds for a key (sent or not). */
  async outboxTags(schema: 'order' | 'pay', key: string): Promise<string[]> {
    const rows = await this.db[schema].query<{ tag: string }>('SELECT tag FROM mq_producer_log WHERE message_keys = ? ORDER BY id', {
      replacements: [JSON.stringify([key])],
      type: QueryTypes.SELECT,
    });
    return rows.map((row) => row.tag);
  }

  async afterSales(id: string): Promise<{ status: string; refund_id: string | null; note: string | null } | undefined> {
    return this.one(this.db.order, 'SELECT status, refund_id, note FROM after_sales WHERE id = ?', [id]);
  }

  /** Units the refunds of the order gave back, per goods. */
  async unitsReturned(orderId: string): Promise<Record<string, number>> {
    const rows = await this.db.goods.query<{ goods_id: string; units: string }>(
      'SELECT goods_id, SUM(quantity) AS units FROM goods_return_log WHERE order_id = ? GROUP BY goods_id',
      {
        replacements: [orderId],
        type: QueryTypes.SELECT,
      },
    );
    return Object.fromEntries(rows.map((row) => [row.goods_id, Number(row.units)]));
  }

  /** Moves the order's completion `days` into the past (the after-sales window's clock). */
  async backdateCompletion(orderId: string, days: number): Promise<void> {
    await this.db.order.query("UPDATE `order` SET completed_at = completed_at - INTERVAL ? DAY WHERE id = ? AND status = 'COMPLETED'", {
      replacements: [days, orderId],
    });
  }

  /**
   * Moves the order's shipping time `days` into the past: with backdateCompletion, the only
   * writes the specs make to a service's tables, standing in for the days the rules wait.
   */
  async backdateShipment(orderId: string, days: number): Promise<void> {
    await this.db.order.query("UPDATE `order` SET shipped_at = shipped_at - INTERVAL ? DAY WHERE id = ? AND status = 'SHIPPED'", {
      replacements: [days, orderId],
    });
  }

  /** The user's money movements as user_money_log records them, oldest first. */
  async moneyLog(
    userId: string,
  ): Promise<{ type: string; ref: string; amount: string; operator_id: string | null; reason: string | null; balance_after: string | null }[]> {
    return this.db.user.query('SELECT type, ref, amount, operator_id, reason, balance_after FROM user_money_log WHERE user_id = ? ORDER BY id', {
      replacements: [userId],
      type: QueryTypes.SELECT,
    });
  }

  /** The user's ban columns (null while not banned). */
  async ban(userId: string): Promise<{ banned_at: Date | null; ban_reason: string | null; banned_by: string | null }> {
    return (await this.one<{ banned_at: Date | null; ban_reason: string | null; banned_by: string | null }>(
      this.db.user,
      'SELECT banned_at, ban_reason, banned_by FROM user WHERE id = ?',
      [userId],
    ))!;
  }

  /** The user's address book rows, oldest first. */
  async addresses(userId: string): Promise<{ id: string; recipient: string; phone: string; region: string; line: string; is_default: number }[]> {
    return this.db.user.query('SELECT id, recipient, phone, region, line, is_default FROM user_address WHERE user_id = ? ORDER BY id', {
      replacements: [userId],
      type: QueryTypes.SELECT,
    });
  }
}
