/** SQL of the order's refund holds (order_refund) and after-sales requests (after_sales). */
import { insertUnique, SqlStore } from '@shop/common/db';
import { QueryTypes, type Transaction } from 'sequelize';
import type { AfterSalesRow, AfterSalesStatus, HoldRow, HoldStatus, RefundHoldRepository } from '../domain/ports';

const HOLD_COLUMNS =
  'refund_id, order_id, kind, status, amount, alipay_amount, balance_amount, points, restock, release_coupon, completes_order, after_sales_id';
const AFTER_SALES_COLUMNS = 'id, order_id, user_id, status, reason, amount, idempotency_key, decided_by, note, refund_id, created_at, decided_at';

export class RefundStore extends SqlStore implements RefundHoldRepository {
  async findHold(refundId: string, tx?: Transaction): Promise<HoldRow | undefined> {
    const [row] = await this.sequelize.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM order_refund WHERE refund_id = ?${tx ? ' FOR UPDATE' : ''}`, {
      replacements: [refundId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return row;
  }

  /** The order's holds (read under the order's row lock by the caller). */
  holdsOf(tx: Transaction, orderId: string): Promise<HoldRow[]> {
    return this.sequelize.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM order_refund WHERE order_id = ? ORDER BY refund_id`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
  }

  async insertHold(tx: Transaction, row: Omit<HoldRow, 'status'>): Promise<void> {
    await this.sequelize.query(`INSERT INTO order_refund (${HOLD_COLUMNS}, created_at) VALUES (?, ?, ?, 'OPEN', ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`, {
      replacements: [
        row.refund_id,
        row.order_id,
        row.kind,
        row.amount,
        row.alipay_amount,
        row.balance_amount,
        row.points,
        row.restock,
        row.release_coupon,
        row.completes_order,
        row.after_sales_id,
      ],
      type: QueryTypes.INSERT,
      transaction: tx,
    });
  }

  /** OPEN -> SUCCEEDED or FAILED; false when it had ended already. */
  async finishHold(tx: Transaction, refundId: string, status: Exclude<HoldStatus, 'OPEN'>, reason: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      "UPDATE order_refund SET status = ?, reason = ?, finished_at = UTC_TIMESTAMP(3) WHERE refund_id = ? AND status = 'OPEN'",
      {
        replacements: [status, reason.slice(0, 200) || null, refundId],
        type: QueryTypes.UPDATE,
        transaction: tx,
      },
    );
    return affected === 1;
  }

  async addRefunded(tx: Transaction, orderId: string, amount: string): Promise<void> {
    await this.sequelize.query('UPDATE `order` SET refunded_amount = refunded_amount + CAST(? AS DECIMAL(14,2)) WHERE id = ?', {
      replacements: [amount, orderId],
      transaction: tx,
    });
  }

  /** Inserts an OPEN after-sales request; false when the user's idempotency key was used. */
  insertAfterSales(
    tx: Transaction,
    row: { id: string; orderId: string; userId: string; reason: string; amount: string | null; idempotencyKey: string | null },
  ): Promise<boolean> {
    return insertUnique(
      this.sequelize,
      "INSERT INTO after_sales (id, order_id, user_id, status, reason, amount, idempotency_key, created_at) VALUES (?, ?, ?, 'OPEN', ?, ?, ?, UTC_TIMESTAMP(3))",
      [row.id, row.orderId, row.userId, row.reason, row.amount, row.idempotencyKey],
      tx,
    );
  }

  async findAfterSales(id: string, tx?: Transaction): Promise<AfterSalesRow | undefined> {
    const [row] = await this.sequelize.query<AfterSalesRow>(`SELECT ${AFTER_SALES_COLUMNS} FROM after_sales WHERE id = ?${tx ? ' FOR UPDATE' : ''}`, {
      replacements: [id],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return row;
  }

  async findAfterSalesByKey(userId: string, key: string): Promise<AfterSalesRow | undefined> {
    const [row] = await this.sequelize.query<AfterSalesRow>(`SELECT ${AFTER_SALES_COLUMNS} FROM after_sales WHERE user_id = ? AND idempotency_key = ?`, {
      replacements: [userId, key],
      type: QueryTypes.SELECT,
    });
    return row;
  }

  /** The order's after-sales requests still being handled (OPEN or APPROVED). */
  async activeAfterSalesOf(tx: Transaction, orderId: string): Promise<AfterSalesRow[]> {
    return this.sequelize.query<AfterSalesRow>(`SELECT ${AFTER_SALES_COLUMNS} FROM after_sales WHERE order_id = ? AND status IN ('OPEN', 'APPROVED')`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
  }

  async listAfterSales(
    filter: { orderId?: string; status?: AfterSalesStatus },
    offset: number,
    limit: number,
  ): Promise<{ rows: AfterSalesRow[]; total: number }> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.orderId) {
      conditions.push('order_id = ?');
      params.push(filter.orderId);
    }
    if (filter.status) {
      conditions.push('status = ?');
      params.push(filter.status);
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.sequelize.query<AfterSalesRow>(`SELECT ${AFTER_SALES_COLUMNS} FROM after_sales ${where} ORDER BY id DESC LIMIT ? OFFSET ?`, {
      replacements: [...params, limit, offset],
      type: QueryTypes.SELECT,
    });
    const [count] = await this.sequelize.query<{ total: number }>(`SELECT COUNT(*) AS total FROM after_sales ${where}`, {
      replacements: params,
      type: QueryTypes.SELECT,
    });
    return { rows, total: Number(count?.total ?? 0) };
  }

  /** Moves a request from one status to another; false when it was elsewhere. */
  async moveAfterSales(
    tx: Transaction,
    id: string,
    from: AfterSalesStatus[],
    to: AfterSalesStatus,
    extra: { decidedBy?: string; note?: string; refundId?: string } = {},
  ): Promise<boolean> {
    const sets = ['status = ?'];
    const params: unknown[] = [to];
    if (extra.decidedBy !== undefined) {
      sets.push('decided_by = ?', 'decided_at = UTC_TIMESTAMP(3)');
      params.push(extra.decidedBy);
    }
    if (extra.note !== undefined) {
      sets.push('note = ?');
      params.push(extra.note.slice(0, 200));
    }
    if (extra.refundId !== undefined) {
      sets.push('refund_id = ?');
      params.push(extra.refundId);
    }
    const [, affected] = await this.sequelize.query(`UPDATE after_sales SET ${sets.join(', ')} WHERE id = ? AND status IN (?)`, {
      replacements: [...params, id, from],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    return affected === 1;
  }
}
