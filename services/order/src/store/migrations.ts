import type { Migration } from '@shop/common/db';
import { consumerMigrations, outboxMigrations } from '@shop/common/mq';

/**
 * order: one row per placement, moved between states only by conditional UPDATEs on the current
 *   status; amounts computed by the server and frozen at placement. (user_id, idempotency_key)
 *   is unique: the same key returns the same order. payment_id: the payment that paid it (any
 *   other payment of the order is refunded); NULL for orders paid before the column existed.
 * order_item: the lines, with the name and unit price at the time of the order.
 * order_status_history: every status change of an order (from, to, who, why, when), written in
 *   the transaction of the change itself.
 * cart_item: a user's cart, one row per goods; prices are read from the goods service when shown.
 * order_refund: the order's side of each refund (a hold): checked against the order's rules and
 *   recorded before the pay service moves any money, with the plan it executes; OPEN until the
 *   pay service says it ended. An order ships only with no OPEN hold.
 * after_sales: refunds asked after shipment, approved or rejected by an admin.
 * mq_producer_log / mq_consumer_log: the outbox and the consume log of common/mq.
 */
export const orderMigrations: Migration[] = [
  ...outboxMigrations,
  ...consumerMigrations,
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
  {
    id: '0002-order-status-history',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS order_status_history (
          id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
          order_id BIGINT NOT NULL,
          from_status VARCHAR(16) NULL,
          to_status VARCHAR(16) NOT NULL,
          actor VARCHAR(64) NOT NULL,
          reason VARCHAR(200) NULL,
          created_at DATETIME(3) NOT NULL,
          KEY idx_order (order_id, id)
        ) ENGINE=InnoDB`);
    },
  },
  {
    // When the order shipped: automatic completion counts from it.
    id: '0003-order-shipped-at',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE `order` ADD COLUMN shipped_at DATETIME(3) NULL, ADD KEY idx_shipped (status, shipped_at)');
    },
  },
  {
    id: '0004-cart-item',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS cart_item (
          user_id BIGINT NOT NULL,
          goods_id BIGINT NOT NULL,
          quantity INT NOT NULL,
          checked BOOLEAN NOT NULL,
          added_at DATETIME(3) NOT NULL,
          PRIMARY KEY (user_id, goods_id),
          CONSTRAINT cart_quantity_range CHECK (quantity BETWEEN 1 AND 999)
        ) ENGINE=InnoDB`);
    },
  },
  {
    // When the order completed: the after-sales window counts from it.
    id: '0005-order-completed-at',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE `order` ADD COLUMN completed_at DATETIME(3) NULL');
    },
  },
  {
    // What the order's succeeded refunds gave back: shown with the order.
    id: '0006-order-refunded-amount',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE `order` ADD COLUMN refunded_amount DECIMAL(14,2) NOT NULL DEFAULT 0');
    },
  },
  {
    id: '0007-order-refund',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS order_refund (
          refund_id BIGINT NOT NULL PRIMARY KEY,
          order_id BIGINT NOT NULL,
          kind VARCHAR(16) NOT NULL,
          status VARCHAR(16) NOT NULL,
          amount DECIMAL(14,2) NOT NULL,
          alipay_amount DECIMAL(14,2) NOT NULL,
          balance_amount DECIMAL(14,2) NOT NULL,
          points BIGINT NOT NULL,
          restock TEXT NOT NULL,
          release_coupon BOOLEAN NOT NULL,
          completes_order BOOLEAN NOT NULL,
          after_sales_id BIGINT NULL,
          reason VARCHAR(200) NULL,
          created_at DATETIME(3) NOT NULL,
          finished_at DATETIME(3) NULL,
          KEY idx_order (order_id, status),
          CONSTRAINT refund_parts_add_up CHECK (amount = alipay_amount + balance_amount AND alipay_amount >= 0 AND balance_amount >= 0)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0008-after-sales',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS after_sales (
          id BIGINT NOT NULL PRIMARY KEY,
          order_id BIGINT NOT NULL,
          user_id BIGINT NOT NULL,
          status VARCHAR(16) NOT NULL,
          reason VARCHAR(200) NOT NULL,
          amount DECIMAL(14,2) NULL,
          idempotency_key VARCHAR(64) NULL,
          decided_by VARCHAR(64) NULL,
          note VARCHAR(200) NULL,
          refund_id BIGINT NULL,
          created_at DATETIME(3) NOT NULL,
          decided_at DATETIME(3) NULL,
          UNIQUE KEY uq_idempotency (user_id, idempotency_key),
          KEY idx_order (order_id),
          KEY idx_status (status, id)
        ) ENGINE=InnoDB`);
    },
  },
  {
    // What the request with an idempotency key asked: the same key with another request is refused.
    id: '0009-order-request-hash',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE `order` ADD COLUMN IF NOT EXISTS request_hash CHAR(64) NULL');
    },
  },
  {
    // The trace of the placement (W3C traceparent): the payment's work joins it (docs/operations.md, Tracing).
    id: '0010-order-trace-parent',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE `order` ADD COLUMN IF NOT EXISTS trace_parent VARCHAR(64) NULL');
    },
  },
  {
    // The payment that paid the order: with two payment channels an order can have several
    // payments, and only this one is kept (pay.succeeded of another is rejected, so refunded).
    id: '0011-order-payment-id',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE `order` ADD COLUMN IF NOT EXISTS payment_id BIGINT NULL');
    },
  },
];
