import { releaseLedgerMigration, reservationLedgerMigration, type Migration } from '@shop/common/db';
import { consumerMigrations } from '@shop/common/mq';

/**
 * user: balance and points, never negative (CHECK), changed only by conditional UPDATEs.
 * user_money_log: every balance movement, unique per (user, type, ref): ref is the order id of a
 *   REDUCE or RELEASE, the refund id of a REFUND, the request id of a RECHARGE. The unique key is
 *   what makes each movement happen once; the release gives back what the REDUCE row says.
 * user_points_log: the same for points (ADD per order, DEDUCT per refund).
 * user_order_release: the ReleaseLedger of common/db (one row per order, TAKEN then RELEASED;
 *   RELEASED with nothing taken is a tombstone).
 */
export const userMigrations: Migration[] = [
  ...consumerMigrations,
  {
    id: '0001-user',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS user (
          id BIGINT NOT NULL PRIMARY KEY,
          username VARCHAR(32) NOT NULL,
          password_hash VARCHAR(255) NOT NULL,
          role VARCHAR(16) NOT NULL,
          balance DECIMAL(14,2) NOT NULL DEFAULT 0,
          points BIGINT NOT NULL DEFAULT 0,
          created_at DATETIME(3) NOT NULL,
          UNIQUE KEY uq_username (username),
          CONSTRAINT balance_not_negative CHECK (balance >= 0),
          CONSTRAINT points_not_negative CHECK (points >= 0)
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS user_money_log (
          id BIGINT NOT NULL PRIMARY KEY,
          user_id BIGINT NOT NULL,
          order_id BIGINT NULL,
          type VARCHAR(16) NOT NULL,
          ref VARCHAR(64) NOT NULL,
          amount DECIMAL(14,2) NOT NULL,
          created_at DATETIME(3) NOT NULL,
          UNIQUE KEY uq_movement (user_id, type, ref),
          KEY idx_order (order_id),
          CONSTRAINT money_amount_positive CHECK (amount > 0)
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS user_points_log (
          id BIGINT NOT NULL PRIMARY KEY,
          user_id BIGINT NOT NULL,
          order_id BIGINT NOT NULL,
          type VARCHAR(16) NOT NULL,
          ref VARCHAR(64) NOT NULL,
          points BIGINT NOT NULL,
          created_at DATETIME(3) NOT NULL,
          UNIQUE KEY uq_movement (user_id, type, ref),
          KEY idx_order (order_id)
        ) ENGINE=InnoDB`);
    },
  },
  releaseLedgerMigration('0002-user-order-release', 'user_order_release'),
  reservationLedgerMigration('0003-user-reservation-ledger', 'user_order_release', "SELECT DISTINCT order_id FROM user_money_log WHERE type = 'REDUCE'"),
];
