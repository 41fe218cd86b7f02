import { reservationLedgerMigration, type Migration } from '@shop/common/db';
import { consumerMigrations } from '@shop/common/mq';

/**
 * goods: stock can never go below zero (CHECK), prices are exact (DECIMAL).
 * goods_number_log: what each order took of each goods, keyed (goods_id, order_id): the record
 *   a release undoes from, never the request.
 * goods_order_release: the ReleaseLedger of common/db (one row per order: TAKEN, then RELEASED;
 *   RELEASED with nothing taken is the tombstone of an order released before it took anything),
 *   with the units given back.
 * goods_return_log: units a refund before shipment gave back, once per (refund, goods).
 * goods_change_log: an admin's change of a goods (name, price, sale, stock delta), once per
 *   (goods, request id), with who, why, and each field's value before and after.
 * goods_category: the shop's categories, unique by name; goods.category_id points at one (or
 *   nothing). goods.description is free text; goods.image_key names the goods' picture in the
 *   image store (derived from the picture's content, so a name never changes meaning).
 */
export const goodsMigrations: Migration[] = [
  ...consumerMigrations,
  {
    id: '0001-goods',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS goods (
          id BIGINT NOT NULL PRIMARY KEY,
          name VARCHAR(128) NOT NULL,
          price DECIMAL(12,2) NOT NULL,
          stock INT NOT NULL,
          on_sale TINYINT(1) NOT NULL DEFAULT 1,
          create_request_id VARCHAR(64) NULL UNIQUE,
          created_at DATETIME(3) NOT NULL,
          CONSTRAINT stock_not_negative CHECK (stock >= 0),
          CONSTRAINT price_not_negative CHECK (price >= 0),
          KEY idx_name (name)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0002-goods-number-log',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS goods_number_log (
          goods_id BIGINT NOT NULL,
          order_id BIGINT NOT NULL,
          quantity INT NOT NULL,
          status ENUM('TAKEN', 'RELEASED') NOT NULL,
          created_at DATETIME(3) NOT NULL,
          released_at DATETIME(3) NULL,
          PRIMARY KEY (goods_id, order_id),
          KEY idx_order (order_id)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0003-goods-order-release',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS goods_order_release (
          order_id BIGINT NOT NULL PRIMARY KEY,
          released_units INT NOT NULL DEFAULT 0,
          released_at DATETIME(3) NOT NULL
        ) ENGINE=InnoDB`);
    },
  },
  reservationLedgerMigration('0004-goods-reservation-ledger', 'goods_order_release', "SELECT DISTINCT order_id FROM goods_number_log WHERE status = 'TAKEN'"),
  {
    id: '0005-goods-return-log',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS goods_return_log (
          refund_id VARCHAR(64) NOT NULL,
          goods_id BIGINT NOT NULL,
          order_id BIGINT NOT NULL,
          quantity INT NOT NULL,
          created_at DATETIME(3) NOT NULL,
          PRIMARY KEY (refund_id, goods_id),
          KEY idx_order (order_id, goods_id),
          CONSTRAINT returned_quantity_positive CHECK (quantity > 0)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0006-goods-change-log',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS goods_change_log (
          goods_id BIGINT NOT NULL,
          request_id VARCHAR(64) NOT NULL,
          operator VARCHAR(64) NOT NULL,
          reason VARCHAR(200) NOT NULL,
          changes JSON NOT NULL,
          created_at DATETIME(3) NOT NULL,
          PRIMARY KEY (goods_id, request_id),
          KEY idx_created (created_at)
        ) ENGINE=InnoDB`);
    },
  },
  {
    id: '0007-goods-category-image',
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS goods_category (
          id BIGINT NOT NULL PRIMARY KEY,
          name VARCHAR(64) NOT NULL,
          created_at DATETIME(3) NOT NULL,
          UNIQUE KEY uq_name (name)
        ) ENGINE=InnoDB`);
      await sequelize.query(`
        ALTER TABLE goods
          ADD COLUMN IF NOT EXISTS category_id BIGINT NULL,
          ADD COLUMN IF NOT EXISTS description VARCHAR(2000) NOT NULL DEFAULT '',
          ADD COLUMN IF NOT EXISTS image_key VARCHAR(64) NULL,
          ADD KEY IF NOT EXISTS idx_category (category_id, on_sale)`);
    },
  },
];
