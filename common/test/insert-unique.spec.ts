/**
 * insertUnique: a duplicate key is the one expected, checked outcome; every other error is an
 * error. (INSERT IGNORE turned a truncated amount or a missing value into a warning and a
 * silently skipped row, read back later as "already there".)
 */
import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { insertUnique, openDatabase } from '../src/db';
import { infra } from './support/infra';

const SCHEMA = 'shop_test_insert_unique';

describe('insertUnique against the real MySQL', function () {
  this.timeout(30_000);
  let db: Sequelize;

  before(async () => {
    db = await openDatabase(infra.mysql, SCHEMA);
    await db.query('DROP TABLE IF EXISTS ledger');
    await db.query(
      'CREATE TABLE ledger (id BIGINT NOT NULL PRIMARY KEY, ref VARCHAR(8) NOT NULL, amount DECIMAL(6,2) NOT NULL, UNIQUE KEY uq_ref (ref)) ENGINE=InnoDB',
    );
  });

  after(async () => {
    await db?.close();
  });

  const insert = (id: number, ref: string, amount: unknown) => insertUnique(db, 'INSERT INTO ledger (id, ref, amount) VALUES (?, ?, ?)', [id, ref, amount]);

  it('writes a new row (true), and answers false for a duplicate key of any unique index', async () => {
    assert.equal(await insert(1, 'a', '1.00'), true);
    assert.equal(await insert(1, 'b', '1.00'), false, 'same primary key');
    assert.equal(await insert(2, 'a', '1.00'), false, 'same unique ref');
  });

  it('throws for every other failure instead of skipping the row', async () => {
    await assert.rejects(insert(3, 'far-too-long-a-ref', '1.00'), 'a value too long for its column');
    await assert.rejects(insert(4, 'c', '123456.00'), 'an amount out of range');
    await assert.rejects(insert(5, 'd', null), 'a NULL into NOT NULL');
    const [{ n }] = (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger', { type: QueryTypes.SELECT })) as [{ n: number }];
    assert.equal(Number(n), 1);
  });

  it('inside a transaction, a duplicate leaves the transaction usable', async () => {
    await db.transaction(async (transaction) => {
      assert.equal(await insertUnique(db, 'INSERT INTO ledger (id, ref, amount) VALUES (?, ?, ?)', [1, 'z', '1.00'], transaction), false);
      assert.equal(await insertUnique(db, 'INSERT INTO ledger (id, ref, amount) VALUES (?, ?, ?)', [6, 'e', '2.00'], transaction), true);
    });
    const rows = await db.query<{ id: string }>('SELECT id FROM ledger ORDER BY id', { type: QueryTypes.SELECT });
    assert.deepEqual(
      rows.map((row) => String(row.id)),
      ['1', '6'],
    );
  });

  it('refuses anything but a plain INSERT INTO', async () => {
    await assert.rejects(insertUnique(db, 'INSERT IGNORE INTO ledger (id, ref, amount) VALUES (?, ?, ?)', [7, 'f', '1.00']), /plain INSERT INTO/);
  });
});
