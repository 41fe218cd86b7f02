import type { Migration } from '@shop/common/db';
import { consumerMigrations, outboxMigrations } from '@shop/common/mq';

/**
 * trade_pay: the payments of orders, one per (order, attempt): a customer switching channel
 *   (Alipay, WeChat Pay) replaces the open payment by the next attempt (superseded_at). Its id is
 *   the channel's out_trade_no. Status
 *   moves only by conditional UPDATEs: UNPAID -> PAID (notify or query) | CLOSED (deadline);
 *   CLOSED -> PAID (a payment Alipay took before the close: refunded); PAID -> REFUNDED.
 * pay_log: what happened to each payment, for people (written once per event).
 * refund: refunds keyed by (order, request id), each a recorded state machine: PENDING until every
 *   step of its plan (held by the order service, then Alipay, balance, points, stock, coupon) is
 *   done, each step stamped when done, then SUCCEEDED; FAILED when Alipay refused it for good.
 *   A lease (next_attempt_at) lets one runner at a time carry it on.
 * reconciliation / reconciliation_run: the daily comparison with the channels' bills.
 */
export const payMigrations: Migration[] = [
  ...outboxMigrations,
  ...consumerMigrations,
  {
    id: '0001-pay',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS trade_pay (
          id BIGINT NOT NULL PRIMARY KEY,
          order_id BIGINT NOT NULL,
          user_id BIGINT NOT NULL,
          amount DECIMAL(14,2) NOT NULL,
          balance_paid DECIMAL(14,2) NOT NULL,
          status VARCHAR(16) NOT NULL,
          qr_code VARCHAR(512) NOT NULL,
          expires_at DATETIME(3) NOT NULL,
          alipay_trade_no VARCHAR(64) NULL,
          refunded_amount DECIMAL(14,2) NOT NULL DEFAULT 0,
          created_at DATETIME(3) NOT NULL,
          paid_at DATETIME(3) NULL,
          closed_at DATETIME(3) NULL,
          UNIQUE KEY uq_order (order_id),
          KEY idx_status (status, expires_at),
          KEY idx_paid_at (paid_at),
          CONSTRAINT pay_amount_positive CHECK (amount > 0),
          CONSTRAINT refund_within_amount CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS pay_log (
          id BIGINT NOT NULL PRIMARY KEY,
          payment_id BIGINT NOT NULL,
          order_id BIGINT NOT NULL,
          event VARCHAR(32) NOT NULL,
          amount DECIMAL(14,2) NOT NULL,
          detail VARCHAR(255) NOT NULL,
          created_at DATETIME(3) NOT NULL,
          UNIQUE KEY uq_event (payment_id, event),
          KEY idx_order (order_id)
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS refund (
          id BIGINT NOT NULL PRIMARY KEY,
          request_id VARCHAR(64) NOT NULL,
          order_id BIGINT NOT NULL,
          payment_id BIGINT NULL,
          user_id BIGINT NOT NULL,
          amount DECIMAL(14,2) NOT NULL,
          alipay_amount DECIMAL(14,2) NOT NULL,
          balance_amount DECIMAL(14,2) NOT NULL,
          points BIGINT NOT NULL,
          reason VARCHAR(200) NOT NULL,
          status VARCHAR(16) NOT NULL,
          created_at DATETIME(3) NOT NULL,
          finished_at DATETIME(3) NULL,
          UNIQUE KEY uq_request (order_id, request_id),
          KEY idx_order (order_id)
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS reconciliation_run (
          bill_date DATE NOT NULL PRIMARY KEY,
          matched INT NOT NULL,
          differences INT NOT NULL,
          ran_at DATETIME(3) NOT NULL
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS reconciliation (
          bill_date DATE NOT NULL,
          out_trade_no VARCHAR(64) NOT NULL,
          type VARCHAR(20) NOT NULL,
          local_amount DECIMAL(14,2) NULL,
          alipay_amount DECIMAL(14,2) NULL,
          found_at DATETIME(3) NOT NULL,
          PRIMARY KEY (bill_date, out_trade_no, type)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0002-pay-refund-steps',
    async up({ sequelize }) {
      const [columns] = await sequelize.query("SHOW COLUMNS FROM refund LIKE 'kind'");
      if ((columns as unknown[]).length === 0) {
        await sequelize.query(`
          ALTER TABLE refund
            ADD COLUMN kind VARCHAR(20) NOT NULL DEFAULT 'CUSTOMER',
            ADD COLUMN requested_amount VARCHAR(20) NOT NULL DEFAULT '',
            ADD COLUMN request_hash CHAR(64) NOT NULL DEFAULT '',
            ADD COLUMN items TEXT NULL,
            ADD COLUMN restock TEXT NULL,
            ADD COLUMN release_coupon BOOLEAN NOT NULL DEFAULT 0,
            ADD COLUMN completes_order BOOLEAN NOT NULL DEFAULT 0,
            ADD COLUMN after_sales_id BIGINT NULL,
            ADD COLUMN held_at DATETIME(3) NULL,
            ADD COLUMN alipay_done_at DATETIME(3) NULL,
            ADD COLUMN balance_done_at DATETIME(3) NULL,
            ADD COLUMN points_done_at DATETIME(3) NULL,
            ADD COLUMN stock_done_at DATETIME(3) NULL,
            ADD COLUMN coupon_done_at DATETIME(3) NULL,
            ADD COLUMN alipay_attempts INT NOT NULL DEFAULT 0,
            ADD COLUMN attempts INT NOT NULL DEFAULT 0,
            ADD COLUMN next_attempt_at DATETIME(3) NULL,
            ADD COLUMN last_error VARCHAR(255) NULL,
            ADD COLUMN failure_reason VARCHAR(255) NULL,
            ADD KEY idx_pending (status, next_attempt_at)`);
      }
      // Refunds made before the steps were recorded: their plan is the row, already held.
      await sequelize.query("UPDATE refund SET held_at = created_at, next_attempt_at = created_at WHERE held_at IS NULL AND request_hash = ''");
    },
  },
  {
    // The order's trace (its placement's W3C traceparent), which applying the payment joins.
    id: '0003-pay-trace-parent',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE trade_pay ADD COLUMN IF NOT EXISTS trace_parent VARCHAR(64) NULL');
    },
  },
  {
    // Payment channels (issue 20): the channel of each payment, several attempts per order (one
    // open at a time), the channel's own trade number under a channel-neutral name.
    id: '0004-pay-channels',
    async up({ sequelize }) {
      const [tradeNo] = await sequelize.query("SHOW COLUMNS FROM trade_pay LIKE 'alipay_trade_no'");
      if ((tradeNo as unknown[]).length > 0) await sequelize.query('ALTER TABLE trade_pay CHANGE COLUMN alipay_trade_no trade_no VARCHAR(64) NULL');
      await sequelize.query(`
        ALTER TABLE trade_pay
          ADD COLUMN IF NOT EXISTS channel VARCHAR(16) NOT NULL DEFAULT 'ALIPAY_QR',
          ADD COLUMN IF NOT EXISTS attempt INT NOT NULL DEFAULT 1,
          ADD COLUMN IF NOT EXISTS superseded_at DATETIME(3) NULL,
          ADD UNIQUE KEY IF NOT EXISTS uq_order_attempt (order_id, attempt),
          DROP INDEX IF EXISTS uq_order`);
      await sequelize.query("ALTER TABLE reconciliation ADD COLUMN IF NOT EXISTS channel VARCHAR(16) NOT NULL DEFAULT 'ALIPAY_QR'");
      // A refund postponed while its channel moves the money (WeChat Pay's PROCESSING), which the channel's notification may wake.
      await sequelize.query('ALTER TABLE refund ADD COLUMN IF NOT EXISTS channel_waiting BOOLEAN NOT NULL DEFAULT 0');
    },
  },
];
