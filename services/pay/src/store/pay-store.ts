/** SQL of the pay service's payments. A payment's status moves only by conditional UPDATEs. */
import { insertUnique, SqlStore } from '@shop/common/db';
import { parseCents } from '@shop/common/money';
import { enqueueEvent, type OutgoingMessage } from '@shop/common/mq';
import { QueryTypes, type Transaction } from 'sequelize';
import { paymentMachine, type PaymentMove } from '../domain/pay-status';
import { countPaymentCreated, countPaymentMove } from '../pay-metrics';
import type { Difference, NewPayment, PaidPayment, PayDayStats, PayLogEntry, PaymentRepository, PaymentRow } from '../domain/ports';

const PAYMENT_COLUMNS =
  'id, order_id, user_id, amount, balance_paid, status, channel, attempt, superseded_at, qr_code, expires_at, trade_no, refunded_amount, paid_at, trace_parent';

/** 00:00 China time (UTC+8) of a day is 16:00 UTC the day before. */
const CHINA_OFFSET_HOURS = 8;

export class PayStore extends SqlStore implements PaymentRepository {
  enqueue(tx: Transaction, id: string, message: OutgoingMessage): Promise<void> {
    return enqueueEvent(this.sequelize, tx, id, message);
  }

  /** Inserts an UNPAID payment without its QR code yet; false when the order has one of that attempt already. */
  async insertPayment(tx: Transaction, row: NewPayment): Promise<boolean> {
    const inserted = await insertUnique(
      this.sequelize,
      `INSERT INTO trade_pay (id, order_id, user_id, amount, balance_paid, status, channel, attempt, qr_code, expires_at, trace_parent, created_at)
       VALUES (?, ?, ?, ?, ?, 'UNPAID', ?, ?, '', ?, ?, UTC_TIMESTAMP(3))`,
      [row.id, row.orderId, row.userId, row.amount, row.balancePaid, row.channel, row.attempt, row.expiresAt, row.traceParent || null],
      tx,
    );
    if (inserted) countPaymentCreated(tx);
    return inserted;
  }

  /** Records the QR code Alipay made for the trade. */
  async setQrCode(id: string, qrCode: string): Promise<void> {
    await this.sequelize.query("UPDATE trade_pay SET qr_code = ? WHERE id = ? AND qr_code = ''", { replacements: [qrCode, id] });
  }

  findPayment(id: string, tx?: Transaction): Promise<PaymentRow | undefined> {
    return this.one(`SELECT ${PAYMENT_COLUMNS} FROM trade_pay WHERE id = ?${tx ? ' FOR UPDATE' : ''}`, [id], tx);
  }

  findByOrder(orderId: string, tx?: Transaction): Promise<PaymentRow | undefined> {
    return this.one(`SELECT ${PAYMENT_COLUMNS} FROM trade_pay WHERE order_id = ? ORDER BY attempt DESC LIMIT 1${tx ? ' FOR UPDATE' : ''}`, [orderId], tx);
  }

  listOfOrder(orderId: string): Promise<PaymentRow[]> {
    return this.sequelize.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM trade_pay WHERE order_id = ? ORDER BY attempt`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
  }

  /** Marks an UNPAID payment replaced by another attempt; false when it was not UNPAID or replaced already. */
  async supersede(tx: Transaction, id: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      "UPDATE trade_pay SET superseded_at = UTC_TIMESTAMP(3) WHERE id = ? AND status = 'UNPAID' AND superseded_at IS NULL",
      { replacements: [id], type: QueryTypes.UPDATE, transaction: tx },
    );
    return affected === 1;
  }

  /** Applies the move (pay-status.ts); false when the payment was in none of its starting statuses. */
  async transition(tx: Transaction, id: string, move: PaymentMove, extra: { tradeNo?: string } = {}): Promise<boolean> {
    const { from, to } = paymentMachine.moves[move];
    const sets = ['status = ?'];
    if (to === 'PAID') sets.push('paid_at = UTC_TIMESTAMP(3)', 'trade_no = ?');
    if (to === 'CLOSED') sets.push('closed_at = UTC_TIMESTAMP(3)');
    const [, affected] = await this.sequelize.query(`UPDATE trade_pay SET ${sets.join(', ')} WHERE id = ? AND status IN (?)`, {
      replacements: [to, ...(to === 'PAID' ? [extra.tradeNo ?? null] : []), id, [...from]],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    if (affected === 1) countPaymentMove(tx, move);
    return affected === 1;
  }

  /** UNPAID payments whose deadline passed more than `graceMs` ago, or replaced by another attempt, oldest first. */
  async overdueIds(graceMs: number, limit: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      `SELECT id FROM trade_pay WHERE status = 'UNPAID' AND (expires_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND OR superseded_at IS NOT NULL)
       ORDER BY expires_at LIMIT ?`,
      { replacements: [graceMs * 1000, limit], type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.id);
  }

  /** Adds to the refunded amount if it stays within the payment; false otherwise. */
  async addRefunded(tx: Transaction, id: string, amount: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      'UPDATE trade_pay SET refunded_amount = refunded_amount + CAST(? AS DECIMAL(14,2)) WHERE id = ? AND refunded_amount + CAST(? AS DECIMAL(14,2)) <= amount',
      {
        replacements: [amount, id, amount],
        type: QueryTypes.UPDATE,
        transaction: tx,
      },
    );
    return affected === 1;
  }

  /** Records an event of a payment for people reading the log, once per (payment, event). */
  async log(tx: Transaction | undefined, row: PayLogEntry): Promise<void> {
    await insertUnique(
      this.sequelize,
      'INSERT INTO pay_log (id, payment_id, order_id, event, amount, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
      [row.id, row.paymentId, row.orderId, row.event.slice(0, 32), row.amount, row.detail.slice(0, 255)],
      tx,
    );
  }

  /**
   * Payments paid on a day of the channels' bills, which count days in China time (UTC+8), with what
   * was refunded of each: the payments whose paid_at (UTC) falls in [day - 8 h, day + 16 h).
   */
  paidOn(date: string): Promise<PaidPayment[]> {
    return this.sequelize.query(
      `SELECT id, channel, amount, refunded_amount, status FROM trade_pay
       WHERE paid_at >= ? - INTERVAL ${CHINA_OFFSET_HOURS} HOUR AND paid_at < ? + INTERVAL ${24 - CHINA_OFFSET_HOURS} HOUR AND status IN ('PAID', 'REFUNDED')`,
      { replacements: [date, date], type: QueryTypes.SELECT },
    );
  }

  async dailyStats(from: Date, end: Date): Promise<Pick<PayDayStats, 'day' | 'payments' | 'paid' | 'closed'>[]> {
    const rows = await this.sequelize.query<{ day: string; payments: string; paid: string; closed: string }>(
      `SELECT DATE_FORMAT(created_at, '%Y-%m-%d') AS day, COUNT(*) AS payments,
         SUM(status IN ('PAID', 'REFUNDED')) AS paid, SUM(status = 'CLOSED') AS closed
       FROM trade_pay WHERE created_at >= ? AND created_at < ? GROUP BY day ORDER BY day`,
      { replacements: [from, end], type: QueryTypes.SELECT },
    );
    return rows.map((row) => ({ day: row.day, payments: Number(row.payments), paid: Number(row.paid), closed: Number(row.closed) }));
  }

  /** Stores the report of a day: its differences and its run, replacing an earlier run's. */
  async saveReconciliation({ date, matched, differences }: { date: string; matched: number; differences: Difference[] }): Promise<void> {
    await this.transaction(async (transaction) => {
      await this.sequelize.query('DELETE FROM reconciliation WHERE bill_date = ?', { replacements: [date], transaction });
      for (const d of differences) {
        await this.sequelize.query(
          'INSERT INTO reconciliation (bill_date, out_trade_no, type, channel, local_amount, alipay_amount, found_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
          {
            replacements: [
              date,
              d.outTradeNo.slice(0, 64),
              d.type,
              d.channel,
              d.localAmount || null,
              parseCents(d.alipayAmount) === undefined ? null : d.alipayAmount,
            ],
            type: QueryTypes.INSERT,
            transaction,
          },
        );
      }
      await this.sequelize.query('REPLACE INTO reconciliation_run (bill_date, matched, differences, ran_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))', {
        replacements: [date, matched, differences.length],
        transaction,
      });
    });
  }

  private async one(sql: string, replacements: unknown[], transaction?: Transaction): Promise<PaymentRow | undefined> {
    const [row] = await this.sequelize.query<PaymentRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return row;
  }
}
