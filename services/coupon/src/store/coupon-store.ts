/** SQL of the coupon service. A coupon is taken and freed by conditional UPDATEs only. */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { ReleaseLedger, SqlStore } from '@shop/common/db';
import type { CouponRepository, CouponRow } from '../domain/ports';

const COLUMNS = 'id, user_id, amount, used, order_id';

export class CouponStore extends SqlStore implements CouponRepository {
  /** Released orders, and tombstones of orders released before they used a coupon. */
  readonly releases: ReleaseLedger;

  constructor(sequelize: Sequelize) {
    super(sequelize);
    this.releases = new ReleaseLedger(sequelize, 'coupon_order_release');
  }

  async insertCoupon(row: { id: string; userId: string; amount: string; requestId: string | null }): Promise<void> {
    await this.sequelize.query('INSERT INTO coupon (id, user_id, amount, grant_request_id, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))', {
      replacements: [row.id, row.userId, row.amount, row.requestId],
      type: QueryTypes.INSERT,
    });
  }

  findByGrantRequest(requestId: string): Promise<CouponRow | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM coupon WHERE grant_request_id = ?`, [requestId]);
  }

  findCoupon(id: string, tx?: Transaction): Promise<CouponRow | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM coupon WHERE id = ?${tx ? ' FOR UPDATE' : ''}`, [id], tx);
  }

  listUserCoupons(userId: string): Promise<CouponRow[]> {
    return this.sequelize.query<CouponRow>(`SELECT ${COLUMNS} FROM coupon WHERE user_id = ? ORDER BY id`, { replacements: [userId], type: QueryTypes.SELECT });
  }

  /** Marks the coupon used by the order if it is still unused. */
  async take(tx: Transaction, couponId: string, orderId: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query('UPDATE coupon SET used = 1, order_id = ?, used_at = UTC_TIMESTAMP(3) WHERE id = ? AND used = 0', {
      replacements: [orderId, couponId],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    return affected === 1;
  }

  /** Frees the coupon the order used, if any; returns its id. */
  async freeUsedBy(tx: Transaction, orderId: string): Promise<string | undefined> {
    const used = await this.one(`SELECT ${COLUMNS} FROM coupon WHERE order_id = ? FOR UPDATE`, [orderId], tx);
    if (!used) return undefined;
    await this.sequelize.query('UPDATE coupon SET used = 0, order_id = NULL, used_at = NULL WHERE id = ? AND order_id = ?', {
      replacements: [used.id, orderId],
      transaction: tx,
    });
    return used.id;
  }

  private async one(sql: string, replacements: unknown[], transaction?: Transaction): Promise<CouponRow | undefined> {
    const [row] = await this.sequelize.query<CouponRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return row;
  }
}
