/** SQL of the pay service. A payment's status moves only by conditional UPDATEs. */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

export type PaymentStatus = 'UNPAID' | 'PAID' | 'CLOSED' | 'REFUNDED';

export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount: string;
  balance_paid: string;
  status: PaymentStatus;
  qr_code: string;
  expires_at: Date;
  alipay_trade_no: string | null;
  refunded_amount: string;
  paid_at: Date | null;
}

export interface RefundRow {
  id: string;
  request_id: string;
  order_id: string;
  amount: string;
  alipay_amount: string;
  balance_amount: string;
  points: string;
  status: 'PENDING' | 'SUCCEEDED';
}

const PAYMENT_COLUMNS = 'id, order_id, user_id, amount, balance_paid, status, qr_code, expires_at, alipay_trade_no, refunded_amount, paid_at';

export class PayStore {
  constructor(readonly sequelize: Sequelize) {}

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }

  /** Inserts an UNPAID payment; false when the order has one already. */
  async insertPayment(tx: Transaction, row: { id: string; orderId: string; userId: string; amount: string; balancePaid: string; qrCode: string; expiresAt: Date }): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      `INSERT IGNORE INTO trade_pay (id, order_id, user_id, amount, balance_paid, status, qr_code, expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'UNPAID', ?, ?, UTC_TIMESTAMP(3))`,
      { replacements: [row.id, row.orderId, row.userId, row.amount, row.balancePaid, row.qrCode, row.expiresAt], type: QueryTypes.INSERT, transaction: tx },
    );
    return affected === 1;
  }

  findPayment(id: string, tx?: Transaction): Promise<PaymentRow | undefined> {
    return this.one(`SELECT ${PAYMENT_COLUMNS} FROM trade_pay WHERE id = ?${tx ? ' FOR UPDATE' : ''}`, [id], tx);
  }

  findByOrder(orderId: string, tx?: Transaction): Promise<PaymentRow | undefined> {
    return this.one(`SELECT ${PAYMENT_COLUMNS} FROM trade_pay WHERE order_id = ?${tx ? ' FOR UPDATE' : ''}`, [orderId], tx);
  }

  /** Moves the payment from one of `from` to `to`; false when it was elsewhere. */
  async transition(tx: Transaction, id: string, from: PaymentStatus[], to: PaymentStatus, extra: { tradeNo?: string } = {}): Promise<boolean> {
    const sets = ['status = ?'];
    if (to === 'PAID') sets.push('paid_at = UTC_TIMESTAMP(3)', 'alipay_trade_no = ?');
    if (to === 'CLOSED') sets.push('closed_at = UTC_TIMESTAMP(3)');
    const [, affected] = await this.sequelize.query(`UPDATE trade_pay SET ${sets.join(', ')} WHERE id = ? AND status IN (?)`, {
      replacements: [to, ...(to === 'PAID' ? [extra.tradeNo ?? null] : []), id, from],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    return affected === 1;
  }

  /** UNPAID payments whose deadline passed more than `graceMs` ago. */
  async overdueIds(graceMs: number, limit: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      "SELECT id FROM trade_pay WHERE status = 'UNPAID' AND expires_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND ORDER BY expires_at LIMIT ?",
      { replacements: [graceMs * 1000, limit], type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.id);
  }

  /** Adds to the refunded amount if it stays within the payment; false otherwise. */
  async addRefunded(tx: Transaction, id: string, amount: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query('UPDATE trade_pay SET refunded_amount = refunded_amount + ? WHERE id = ? AND refunded_amount + ? <= amount', {
      replacements: [amount, id, amount],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    return affected === 1;
  }

  /** Records an event of a payment once (payment, event) for people reading the log. */
  async log(tx: Transaction | undefined, row: { id: string; paymentId: string; orderId: string; event: string; amount: string; detail: string }): Promise<void> {
    await this.sequelize.query('INSERT IGNORE INTO pay_log (id, payment_id, order_id, event, amount, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))', {
      replacements: [row.id, row.paymentId, row.orderId, row.event, row.amount, row.detail.slice(0, 255)],
      type: QueryTypes.INSERT,
      transaction: tx,
    });
  }

  async insertRefund(tx: Transaction, row: Omit<RefundRow, 'status'> & { paymentId: string | null; userId: string; reason: string }): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      `INSERT IGNORE INTO refund (id, request_id, order_id, payment_id, user_id, amount, alipay_amount, balance_amount, points, reason, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', UTC_TIMESTAMP(3))`,
      {
        replacements: [row.id, row.request_id, row.order_id, row.paymentId, row.userId, row.amount, row.alipay_amount, row.balance_amount, row.points, row.reason],
        type: QueryTypes.INSERT,
        transaction: tx,
      },
    );
    return affected === 1;
  }

  findRefund(orderId: string, requestId: string): Promise<RefundRow | undefined> {
    return this.sequelize
      .query<RefundRow>('SELECT id, request_id, order_id, amount, alipay_amount, balance_amount, points, status FROM refund WHERE order_id = ? AND request_id = ?', {
        replacements: [orderId, requestId],
        type: QueryTypes.SELECT,
      })
      .then((rows) => rows[0]);
  }

  /** What the order's refunds took in all (every refund row counts from its insert on). */
  async refundedOfOrder(tx: Transaction, orderId: string): Promise<{ total: string; alipay: string; balance: string; points: string }> {
    const [row] = await this.sequelize.query<{ total: string | null; alipay: string | null; balance: string | null; points: string | null }>(
      'SELECT SUM(amount) AS total, SUM(alipay_amount) AS alipay, SUM(balance_amount) AS balance, SUM(points) AS points FROM refund WHERE order_id = ? FOR UPDATE',
      { replacements: [orderId], type: QueryTypes.SELECT, transaction: tx },
    );
    return { total: row?.total ?? '0', alipay: row?.alipay ?? '0', balance: row?.balance ?? '0', points: row?.points ?? '0' };
  }

  async finishRefund(id: string): Promise<void> {
    await this.sequelize.query("UPDATE refund SET status = 'SUCCEEDED', finished_at = UTC_TIMESTAMP(3) WHERE id = ? AND status = 'PENDING'", { replacements: [id] });
  }

  /** Payments paid on a UTC day, for reconciliation. */
  paidOn(date: string): Promise<{ id: string; amount: string }[]> {
    return this.sequelize.query(
      "SELECT id, amount FROM trade_pay WHERE paid_at >= ? AND paid_at < ? + INTERVAL 1 DAY AND status IN ('PAID', 'REFUNDED')",
      { replacements: [date, date], type: QueryTypes.SELECT },
    );
  }

  private async one(sql: string, replacements: unknown[], transaction?: Transaction): Promise<PaymentRow | undefined> {
    const [row] = await this.sequelize.query<PaymentRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return row;
  }
}
