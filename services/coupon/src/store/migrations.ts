import { releaseLedgerMigration, reservationLedgerMigration, type Migration } from '@shop/common/db';
import { consumerMigrations } from '@shop/common/mq';

/**
 * coupon: a fixed amount off one order; `order_id` is the record of which order used it (the
 *   release undoes from it, never from the request).
 * coupon_order_release: the ReleaseLedger of common/db (one row per order, TAKEN then RELEASED;
 *   RELEASED with nothing taken is a tombstone).
 */
export const couponMigrations: Migration[] = [
  ...consumerMigrations,
  {
    id: '0001-coupon',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS coupon (
          id BIGINT NOT NULL PRIMARY KEY,
          user_id BIGINT NOT NULL,
          amount DECIMAL(12,2) NOT NULL,
          used TINYINT(1) NOT NULL DEFAULT 0,
          order_id BIGINT NULL,
          grant_request_id VARCHAR(64) NULL UNIQUE,
          created_at DATETIME(3) NOT NULL,
          used_at DATETIME(3) NULL,
          CONSTRAINT amount_positive CHECK (amount > 0),
          CONSTRAINT used_by_an_order CHECK ((used = 1) = (order_id IS NOT NULL)),
          KEY idx_user (user_id),
          UNIQUE KEY uq_order (order_id)
        ) ENGINE=InnoDB`);
    },
  },
  releaseLedgerMigration('0002-coupon-order-release', 'coupon_order_release'),
  reservationLedgerMigration('0003-coupon-reservation-ledger', 'coupon_order_release', 'SELECT DISTINCT order_id FROM coupon WHERE order_id IS NOT NULL'),
];
