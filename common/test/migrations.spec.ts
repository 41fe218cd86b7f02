import assert from 'node:assert/strict';
import { DataTypes, QueryTypes, type Sequelize } from 'sequelize';
import { ensureSchema, openDatabase, runMigrations, type Migration } from '../src/db';
import { infra } from './support/infra';

const SCHEMA = 'shop_test_common';

const migrations: Migration[] = [
  {
    id: '0001-create-widget',
    async up({ queryInterface }) {
      await queryInterface.createTable('widget', {
        id: { type: DataTypes.BIGINT, primaryKey: true },
        name: { type: DataTypes.STRING(64), allowNull: false },
        price: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
      });
    },
  },
  {
    id: '0002-widget-stock',
    async up({ sequelize }) {
      await sequelize.query('ALTER TABLE widget ADD COLUMN stock INT NOT NULL DEFAULT 0');
    },
  },
];

describe('MySQL bootstrap and migrations (real server)', () => {
  let db: Sequelize;

  before(async () => {
    await ensureSchema(infra.mysql, SCHEMA);
    db = await openDatabase(infra.mysql, SCHEMA);
    await db.query('DROP TABLE IF EXISTS widget, schema_migrations');
  });

  after(async () => {
    await db?.close();
  });

  it('applies pending migrations once, in order, and records them', async () => {
    assert.deepEqual(await runMigrations(db, [migrations[1]!, migrations[0]!]), ['0001-create-widget', '0002-widget-stock']);
    assert.deepEqual(await runMigrations(db, migrations), []);
    const recorded = await db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id', { type: QueryTypes.SELECT });
    assert.deepEqual(
      recorded.map((r) => r.id),
      ['0001-create-widget', '0002-widget-stock'],
    );
  });

  it('serves the migrated table through a Sequelize model, with exact decimals and big ids', async () => {
    const Widget = db.define('widget', {
      id: { type: DataTypes.BIGINT, primaryKey: true },
      name: DataTypes.STRING,
      price: DataTypes.DECIMAL(12, 2),
      stock: DataTypes.INTEGER,
    });
    const id = '9007199254740993'; // 2^53 + 1: not representable as a JS number
    await Widget.create({ id, name: 'pen', price: '0.30', stock: 5 });
    const found = await Widget.findByPk(id, { raw: true });
    assert.deepEqual(found, { id, name: 'pen', price: '0.30', stock: 5 });
    const [sum] = await db.query<{ total: string }>('SELECT price * 3 AS total FROM widget WHERE id = ?', {
      replacements: [id],
      type: QueryTypes.SELECT,
    });
    assert.equal(sum?.total, '0.90'); // 0.30 * 3 in a float would be 0.8999999999999999
  });

  it('lets concurrent runners apply each migration exactly once', async () => {
    await db.query('DROP TABLE IF EXISTS widget, schema_migrations');
    const others = await Promise.all([openDatabase(infra.mysql, SCHEMA), openDatabase(infra.mysql, SCHEMA)]);
    try {
      const results = await Promise.all([db, ...others].map((s) => runMigrations(s, migrations)));
      assert.deepEqual(results.flat().sort(), ['0001-create-widget', '0002-widget-stock']);
    } finally {
      await Promise.all(others.map((s) => s.close()));
    }
  });
});
