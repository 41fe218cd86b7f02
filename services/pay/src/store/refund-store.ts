/** SQL of the refunds: one row per (order, request id), its steps stamped as they are done. */
import { insertUnique, SqlStore } from '@shop/common/db';
import { QueryTypes, type Transaction } from 'sequelize';
import { refundMachine, type RefundMove } from '../domain/pay-status';
import { countRefundCreated, countRefundMove, type UnfinishedRefunds } from '../pay-metrics';
import type { NewRefund, PayDayStats, Plan, RefundRepository, RefundRow, RefundStatus, RefundStep } from '../domain/ports';

const COLUMNS = `id, request_id, order_id, payment_id, user_id, kind, status, requested_amount, request_hash, items, reason, after_sales_id,
  amount, alipay_amount, balance_amount, points, restock, release_coupon, completes_order, held_at, alipay_done_at, balance_done_at,
  points_done_at, stock_done_at, coupon_done_at, alipay_attempts, attempts, last_error, failure_reason, created_at, finished_at`;

export class RefundStore extends SqlStore implements RefundRepository {
  /** Inserts a PENDING refund, leased to its creator; false when (order, request id) exists. */
  async insert(refund: NewRefund): Promise<boolean> {
    const plan = refund.plan;
    const inserted = await insertUnique(
      this.sequelize,
      `INSERT INTO refund (id, request_id, order_id, payment_id, user_id, kind, status, requested_amount, request_hash, items, reason, after_sales_id,
         amount, alipay_amount, balance_amount, points, restock, release_coupon, completes_order, held_at, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${plan ? 'UTC_TIMESTAMP(3)' : 'NULL'}, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, UTC_TIMESTAMP(3))`,
      [
        refund.id,
        refund.requestId,
        refund.orderId,
        refund.paymentId,
        refund.userId,
        refund.kind,
        refund.requestedAmount,
        refund.requestHash,
        JSON.stringify(refund.items),
        refund.reason,
        refund.afterSalesId,
        plan?.amount ?? '0',
        plan?.alipayAmount ?? '0',
        plan?.balanceAmount ?? '0',
        plan?.points ?? '0',
        JSON.stringify(plan?.restock ?? []),
        plan?.releaseCoupon ?? false,
        plan?.completesOrder ?? false,
        refund.leaseMs * 1000,
      ],
    );
    if (inserted) countRefundCreated();
    return inserted;
  }

  async find(id: string, tx?: Transaction): Promise<RefundRow | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM refund WHERE id = ?${tx ? ' FOR UPDATE' : ''}`, [id], tx);
  }

  findByRequest(orderId: string, requestId: string): Promise<RefundRow | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM refund WHERE order_id = ? AND request_id = ?`, [orderId, requestId]);
  }

  listOfOrder(orderId: string): Promise<RefundRow[]> {
    return this.sequelize.query<RefundRow>(`SELECT ${COLUMNS} FROM refund WHERE order_id = ? ORDER BY id`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
  }

  /** Deletes a refund that never moved money (its hold was refused). */
  async deleteUnheld(id: string): Promise<void> {
    await this.sequelize.query("DELETE FROM refund WHERE id = ? AND held_at IS NULL AND status = 'PENDING'", { replacements: [id] });
  }

  async savePlan(id: string, plan: Plan): Promise<void> {
    await this.sequelize.query(
      `UPDATE refund SET amount = ?, alipay_amount = ?, balance_amount = ?, points = ?, restock = ?, release_coupon = ?, completes_order = ?, held_at = UTC_TIMESTAMP(3)
       WHERE id = ? AND held_at IS NULL`,
      {
        replacements: [
          plan.amount,
          plan.alipayAmount,
          plan.balanceAmount,
          plan.points,
          JSON.stringify(plan.restock),
          plan.releaseCoupon,
          plan.completesOrder,
          id,
        ],
      },
    );
  }

  /** Stamps a step done; false when it was stamped already (by another runner). */
  async markDone(tx: Transaction | undefined, id: string, step: RefundStep): Promise<boolean> {
    const column = `${step}_done_at`;
    const [, affected] = await this.sequelize.query(`UPDATE refund SET ${column} = UTC_TIMESTAMP(3) WHERE id = ? AND ${column} IS NULL`, {
      replacements: [id],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    return affected === 1;
  }

  /** Counts a call to Alipay before it is made, so that a later runner asks Alipay first. */
  async countAlipayAttempt(id: string): Promise<void> {
    await this.sequelize.query('UPDATE refund SET alipay_attempts = alipay_attempts + 1 WHERE id = ?', { replacements: [id] });
  }

  /** Ends the refund by the move (pay-status.ts); false when it had ended already. */
  async finish(tx: Transaction, id: string, move: RefundMove, failureReason: string | null): Promise<boolean> {
    const { from, to } = refundMachine.moves[move];
    const [, affected] = await this.sequelize.query(
      'UPDATE refund SET status = ?, failure_reason = ?, finished_at = UTC_TIMESTAMP(3) WHERE id = ? AND status IN (?)',
      {
        replacements: [to, failureReason?.slice(0, 255) ?? null, id, [...from]],
        type: QueryTypes.UPDATE,
        transaction: tx,
      },
    );
    if (affected === 1) countRefundMove(tx, move);
    return affected === 1;
  }

  /** How many refunds are PENDING and since when (pay-metrics.ts: read at scrape time). */
  async unfinished(): Promise<UnfinishedRefunds> {
    const [row] = await this.sequelize.query<{ count: number; oldest: Date | null }>(
      "SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM refund WHERE status = 'PENDING'",
      { type: QueryTypes.SELECT },
    );
    return { count: Number(row?.count ?? 0), oldestCreatedAt: row?.oldest ?? null };
  }

  /** A try that must be repeated later: counted, and retried after `delayMs`. */
  async postpone(id: string, delayMs: number, error: string, waitingOnChannel = false): Promise<void> {
    await this.sequelize.query(
      `UPDATE refund SET attempts = attempts + 1, last_error = ?, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, channel_waiting = ?
       WHERE id = ? AND status = 'PENDING'`,
      { replacements: [error.slice(0, 255), delayMs * 1000, waitingOnChannel, id] },
    );
  }

  /** channel_waiting is set only between a postponement and the next claim: never while a runner holds it. */
  async wake(id: string): Promise<void> {
    await this.sequelize.query(
      "UPDATE refund SET next_attempt_at = UTC_TIMESTAMP(3) WHERE id = ? AND status = 'PENDING' AND channel_waiting AND next_attempt_at > UTC_TIMESTAMP(3)",
      { replacements: [id] },
    );
  }

  /** Takes the refund for `leaseMs` if nobody holds it (its lease expired); false otherwise. */
  async claim(id: string, leaseMs: number): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      "UPDATE refund SET next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, channel_waiting = 0 WHERE id = ? AND status = 'PENDING' AND next_attempt_at <= UTC_TIMESTAMP(3)",
      { replacements: [leaseMs * 1000, id], type: QueryTypes.UPDATE },
    );
    return affected === 1;
  }

  /** PENDING refunds nobody holds (due, or left behind by a process that died). */
  async dueIds(limit: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      "SELECT id FROM refund WHERE status = 'PENDING' AND next_attempt_at <= UTC_TIMESTAMP(3) ORDER BY next_attempt_at LIMIT ?",
      { replacements: [limit], type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.id);
  }

  /** The order's refunds still PENDING. */
  async pendingOfOrder(orderId: string): Promise<RefundRow[]> {
    return this.sequelize.query<RefundRow>(`SELECT ${COLUMNS} FROM refund WHERE order_id = ? AND status = 'PENDING'`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
  }

  async listAll(status: RefundStatus | undefined, offset: number, limit: number): Promise<{ rows: RefundRow[]; total: number }> {
    const where = status ? 'WHERE status = ?' : '';
    const params = status ? [status] : [];
    const rows = await this.sequelize.query<RefundRow>(`SELECT ${COLUMNS} FROM refund ${where} ORDER BY id DESC LIMIT ? OFFSET ?`, {
      replacements: [...params, limit, offset],
      type: QueryTypes.SELECT,
    });
    const [count] = await this.sequelize.query<{ total: number }>(`SELECT COUNT(*) AS total FROM refund ${where}`, {
      replacements: params,
      type: QueryTypes.SELECT,
    });
    return { rows, total: Number(count?.total ?? 0) };
  }

  async dailyStats(from: Date, end: Date): Promise<Pick<PayDayStats, 'day' | 'refundsSucceeded' | 'refundsFailed' | 'refundsPending' | 'refunded'>[]> {
    const rows = await this.sequelize.query<{ day: string; succeeded: string; failed: string; pending: string; refunded: string }>(
      `SELECT DATE_FORMAT(created_at, '%Y-%m-%d') AS day, SUM(status = 'SUCCEEDED') AS succeeded, SUM(status = 'FAILED') AS failed,
         SUM(status = 'PENDING') AS pending, CAST(COALESCE(SUM(CASE WHEN status = 'SUCCEEDED' THEN amount ELSE 0 END), 0) AS CHAR) AS refunded
       FROM refund WHERE created_at >= ? AND created_at < ? GROUP BY day ORDER BY day`,
      { replacements: [from, end], type: QueryTypes.SELECT },
    );
    return rows.map((row) => ({
      day: row.day,
      refundsSucceeded: Number(row.succeeded),
      refundsFailed: Number(row.failed),
      refundsPending: Number(row.pending),
      refunded: row.refunded,
    }));
  }

  private async one(sql: string, replacements: unknown[], transaction?: Transaction): Promise<RefundRow | undefined> {
    const [row] = await this.sequelize.query<RefundRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return row;
  }
}
