/**
 * The release record of a service that reserves something for orders (stock, a coupon, balance):
 * one row per released order, written before anything is given back.
 *
 * - It makes a release happen once: the second one finds the row.
 * - It is the tombstone of an order released before its reservation arrived (a timed-out RPC
 *   still in flight): the reservation checks it under lock and is refused.
 * - Its row lock serialises a release with a concurrent reservation of the same order: the
 *   reservation's locking read of the (missing) row holds the gap until it commits, so the
 *   release's insert waits and then sees what the reservation took.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Migration } from './migrations';

export class ReleaseLedger {
  constructor(
    private readonly sequelize: Sequelize,
    /** e.g. goods_order_release; created by {@link releaseLedgerMigration}. */
    readonly table: string,
  ) {}

  /** True when the order was released already; locks the row, or its gap, until commit. */
  async isReleased(tx: Transaction, orderId: string): Promise<boolean> {
    const rows = await this.sequelize.query(`SELECT order_id FROM ${this.table} WHERE order_id = ? FOR UPDATE`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return rows.length > 0;
  }

  /** Records the release; false when the order was released before (nothing more to do). */
  async recordRelease(tx: Transaction, orderId: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query(`INSERT IGNORE INTO ${this.table} (order_id, released_at) VALUES (?, UTC_TIMESTAMP(3))`, {
      replacements: [orderId],
      type: QueryTypes.INSERT,
      transaction: tx,
    });
    return affected === 1;
  }
}

/** The ledger's table; services may add columns of their own in later migrations. */
export function releaseLedgerMigration(id: string, table: string): Migration {
  return {
    id,
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS ${table} (
          order_id BIGINT NOT NULL PRIMARY KEY,
          released_at DATETIME(3) NOT NULL
        ) ENGINE=InnoDB`);
    },
  };
}
