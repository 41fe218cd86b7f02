import { consumeLogMigration, outboxMigration, type Migration } from '@shop/common';

/**
 * order: one row per placement, moved between states only by conditional UPDATEs on the current
 *   status; amounts computed by the server and frozen at placement. (user_id, idempotency_key)
 *   is unique: the same key returns the same order.
 * order_item: the lines, with the name and unit price at the time of the order.
 * mq_producer_log / mq_consumer_log: the outbox and the consume log of common/mq.
 */
export const orderMigrations: Migration[] = [
  outboxMigration,
  consumeLogMigration,
  {
    id: '0001-order',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS \`order\` (
          id BIGINT NOT NULL PRIMARY KEY,
          user_id BIGINT NOT NULL,
          status VARCHAR(16) NOT NULL,
          goods_amount DECIMAL(14,2) NOT NULL,
          shipping_fee DECIMAL(14,2) NOT NULL,
          coupon_id BIGINT NULL,
          coupon_paid DECIMAL(14,2) NOT NULL,
          balance_paid DECIMAL(14,2) NOT NULL,
          pay_amount DECIMAL(14,2) NOT NULL,
          address VARCHAR(200) NOT NULL,
          consignee VARCHAR(50) NOT NULL,
          idempotency_key VARCHAR(64) NULL,
          cancel_reason VARCHAR(200) NULL,
          created_at DATETIME(3) NOT NULL,
          updated_at DATETIME(3) NOT NULL,
          pay_deadline DATETIME(3) NULL,
          UNIQUE KEY uq_idempotency (user_id, idempotency_key),
          KEY idx_user (user_id, id),
          KEY idx_status (status, created_at),
          CONSTRAINT amounts_not_negative CHECK (goods_amount >= 0 AND shipping_fee >= 0 AND coupon_paid >= 0 AND balance_paid >= 0 AND pay_amount >= 0),
          CONSTRAINT amounts_add_up CHECK (goods_amount + shipping_fee = coupon_paid + balance_paid + pay_amount)
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS order_item (
          order_id BIGINT NOT NULL,
          goods_id BIGINT NOT NULL,
          name VARCHAR(128) NOT NULL,
          price DECIMAL(14,2) NOT NULL,
          quantity INT NOT NULL,
          PRIMARY KEY (order_id, goods_id),
          CONSTRAINT quantity_range CHECK (quantity BETWEEN 1 AND 999)
        ) ENGINE=InnoDB`);
    },
  },
];
