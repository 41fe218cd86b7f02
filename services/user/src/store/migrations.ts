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
 * user.banned_at / ban_reason / banned_by: set while an admin's ban holds (NULL otherwise);
 *   user_ban_log keeps every ban and unban with who and why.
 * user_money_log.operator_id / reason / balance_after: an admin's adjustment (ADJUST_ADD,
 *   ADJUST_TAKE; ref = the request id, amount positive as everywhere) says who and why, and
 *   recharges and adjustments record the balance they left; other movements leave them NULL.
 * user_address: the address book, at most 20 per user, exactly one default whenever there is
 *   any; a creation's request id is unique per user. Changed only under the user's row lock.
 * user.token_version: bumped by a password change or a ban; an access token names the version it
 *   was signed at, and the front doors refuse it once the user's version moved on.
 * user_session: one row per sign-in: the refresh token's hash (SHA-256 of its secret, rotated at
 *   every refresh), when it expires, and when and why it ended (sign-out, password change, ban,
 *   a rotated-out secret presented again).
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
  {
    id: '0004-user-ban',
    async up({ sequelize }) {
      // One DDL statement per migration step: MySQL commits each, so a crash leaves it done or not.
      await sequelize.query(
        'ALTER TABLE user ADD COLUMN banned_at DATETIME(3) NULL, ADD COLUMN ban_reason VARCHAR(200) NULL, ADD COLUMN banned_by BIGINT NULL',
      );
    },
  },
  {
    id: '0005-user-ban-log',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS user_ban_log (
          id BIGINT NOT NULL PRIMARY KEY,
          user_id BIGINT NOT NULL,
          banned TINYINT NOT NULL,
          operator_id BIGINT NOT NULL,
          reason VARCHAR(200) NULL,
          created_at DATETIME(3) NOT NULL,
          KEY idx_user (user_id, id)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0006-user-money-adjustment',
    async up({ sequelize }) {
      await sequelize.query(
        'ALTER TABLE user_money_log ADD COLUMN operator_id BIGINT NULL, ADD COLUMN reason VARCHAR(200) NULL, ADD COLUMN balance_after DECIMAL(14,2) NULL, ADD KEY idx_user (user_id, id)',
      );
    },
  },
  {
    id: '0007-user-address',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS user_address (
          id BIGINT NOT NULL PRIMARY KEY,
          user_id BIGINT NOT NULL,
          recipient VARCHAR(32) NOT NULL,
          phone VARCHAR(24) NOT NULL,
          region VARCHAR(64) NOT NULL,
          line VARCHAR(200) NOT NULL,
          is_default TINYINT NOT NULL DEFAULT 0,
          create_request_id VARCHAR(64) NULL,
          created_at DATETIME(3) NOT NULL,
          updated_at DATETIME(3) NOT NULL,
          UNIQUE KEY uq_create_request (user_id, create_request_id),
          KEY idx_user (user_id, id)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0008-user-token-version',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE user ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0');
    },
  },
  {
    id: '0009-user-session',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS user_session (
          id BIGINT NOT NULL PRIMARY KEY,
          user_id BIGINT NOT NULL,
          secret_hash CHAR(64) NOT NULL,
          created_at DATETIME(3) NOT NULL,
          refreshed_at DATETIME(3) NOT NULL,
          expires_at DATETIME(3) NOT NULL,
          ended_at DATETIME(3) NULL,
          end_reason VARCHAR(32) NULL,
          KEY idx_user_ended (user_id, ended_at)
        ) ENGINE=InnoDB`);
    },
  },
];
