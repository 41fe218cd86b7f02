/**
 * One-trip transactions (common/src/db/one-trip.ts) against the real MySQL: all of the trip or
 * nothing of it, writes that depend on an earlier statement's effect, the same session as
 * Sequelize's connections (UTC, strict SQL), the counters, and a connection that failed a trip
 * serving the next one cleanly.
 */
import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { affectedRows, insertOnlyIf, isDuplicateKey, openDatabase, runInOneTrip, runInTwoTrips, type Statement } from '../src/db';
import { parsePrometheusText, sumOf } from '../src/metrics';
import { register } from 'prom-client';
import { infra } from './support/infra';

const SCHEMA = 'shop_test_one_trip';

describe('one-trip transactions against the real MySQL', function () {
  this.timeout(30_000);
  let db: Sequelize;

  before(async () => {
    db = await openDatabase({ ...infra.mysql, poolMax: 4 }, SCHEMA);
    await db.query('DROP TABLE IF EXISTS account');
    await db.query('DROP TABLE IF EXISTS entry');
    await db.query(
      'CREATE TABLE account (id BIGINT NOT NULL PRIMARY KEY, status VARCHAR(8) NOT NULL, amount DECIMAL(6,2) NOT NULL, at DATETIME(3) NULL) ENGINE=InnoDB',
    );
    await db.query('CREATE TABLE entry (id BIGINT NOT NULL PRIMARY KEY, account_id BIGINT NOT NULL, note VARCHAR(8) NOT NULL) ENGINE=InnoDB');
  });

  after(async () => {
    await db?.close();
  });

  const rows = <T extends object>(sql: string) => db.query<T>(sql, { type: QueryTypes.SELECT });
  const open = (id: number, amount = '1.00'): Statement => ({ sql: "INSERT INTO account (id, status, amount) VALUES (?, 'OPEN', ?)", values: [id, amount] });
  const entry = (id: number, accountId: number, note = 'n'): Statement => ({
    sql: 'INSERT INTO entry (id, account_id, note) VALUES (?, ?, ?)',
    values: [id, accountId, note],
  });

  it('commits every statement of the trip, and answers each result in order', async () => {
    const results = await runInOneTrip(db, [open(1), entry(10, 1), { sql: 'SELECT id, amount FROM account WHERE id = ?', values: [1] }]);
    assert.equal(results.length, 3);
    assert.equal((results[0] as { affectedRows: number }).affectedRows, 1);
    assert.deepEqual(results[2], [{ id: '1', amount: '1.00' }], 'BIGINT and DECIMAL as strings, as Sequelize reads them');
    assert.deepEqual(await rows('SELECT id FROM entry'), [{ id: '10' }]);
  });

  it('keeps nothing of a trip whose later statement fails, and says why (a duplicate key)', async () => {
    const failure = await runInOneTrip(db, [open(2), entry(11, 2), entry(10, 2)]).then(
      () => assert.fail('the duplicate entry should fail the trip'),
      (error: unknown) => error,
    );
    assert.ok(isDuplicateKey(failure), String(failure));
    assert.deepEqual(await rows('SELECT id FROM account WHERE id = 2'), [], 'the first statement rolled back');
    assert.deepEqual(await rows('SELECT id FROM entry WHERE id = 11'), []);
  });

  it('runs strict SQL in UTC like every other connection: a value too long fails the trip', async () => {
    await assert.rejects(runInOneTrip(db, [open(3), entry(12, 3, 'much-too-long')]));
    assert.deepEqual(await rows('SELECT id FROM account WHERE id = 3'), []);
    const at = new Date('2026-12-07T10:11:12.345Z');
    await runInOneTrip(db, [open(4), { sql: 'UPDATE account SET at = ? WHERE id = ?', values: [at, 4] }]);
    const [read] = await rows<{ at: Date; zone: string }>('SELECT at, @@session.time_zone AS zone FROM account WHERE id = 4');
    assert.equal(read!.at.toISOString(), at.toISOString(), 'a Date written as UTC, to the millisecond');
    const [session] = (
      await runInOneTrip(db, [{ sql: 'SELECT @@session.time_zone AS zone, @@session.sql_mode AS mode, @@session.tx_isolation AS isolation' }])
    )[0] as {
      zone: string;
      mode: string;
      isolation: string;
    }[];
    assert.equal(session!.zone, '+00:00');
    assert.match(session!.mode, /STRICT_ALL_TABLES/);
    assert.equal(session!.isolation, 'REPEATABLE-READ');
  });

  it('writes a dependent row only when the statement before it changed something (insertOnlyIf)', async () => {
    await runInOneTrip(db, [open(5)]);
    const close = (entryId: number): Statement[] => [
      { sql: "UPDATE account SET status = 'CLOSED' WHERE id = ? AND status = 'OPEN'", values: [5] },
      { sql: 'SET @moved = ROW_COUNT()' },
      insertOnlyIf(entry(entryId, 5, 'closed'), '@moved = 1'),
      { sql: 'SELECT @moved AS moved' },
    ];
    const first = await runInOneTrip(db, close(20));
    const second = await runInOneTrip(db, close(21));
    assert.equal(Number((first[3] as { moved: string }[])[0]!.moved), 1);
    assert.equal(Number((second[3] as { moved: string }[])[0]!.moved), 0, 'closed already');
    assert.deepEqual(await rows("SELECT id FROM entry WHERE note = 'closed'"), [{ id: '20' }], 'one entry: the second close wrote none');
    assert.throws(() => insertOnlyIf({ sql: 'UPDATE account SET amount = 0' }, 'TRUE'), /single-row INSERT/);
  });

  it('a connection whose trip failed serves the next trips with no transaction left open', async () => {
    // More trips than the pool has connections, half of them failing.
    await Promise.all(Array.from({ length: 12 }, (_, i) => runInOneTrip(db, [open(100 + i), ...(i % 2 ? [entry(10, 1)] : [])]).catch(() => undefined)));
    const kept = await rows<{ id: string }>('SELECT id FROM account WHERE id >= 100 ORDER BY id');
    assert.deepEqual(
      kept.map((row) => Number(row.id)),
      [100, 102, 104, 106, 108, 110],
    );
  });

  it("two trips: commits or rolls back as the first trip's results decide, never leaving the transaction open", async () => {
    await runInOneTrip(db, [open(300, '5.00')]);
    const take = (amount: string): Statement[] => [
      entry(300 + Math.round(Number(amount) * 100), 300, 'take'),
      { sql: 'UPDATE account SET amount = amount - ? WHERE id = ? AND amount >= ?', values: [amount, 300, amount] },
    ];
    const enough = await runInTwoTrips(db, take('3.00'), (results) => affectedRows(results[1]) === 1);
    assert.equal(enough.committed, true);
    const short = await runInTwoTrips(db, take('4.00'), (results) => affectedRows(results[1]) === 1);
    assert.equal(short.committed, false);
    await assert.rejects(
      runInTwoTrips(db, take('1.00'), () => {
        throw new Error('a decision that failed');
      }),
      /a decision that failed/,
    );
    const [account] = await rows<{ amount: string }>('SELECT amount FROM account WHERE id = 300');
    assert.equal(account!.amount, '2.00', 'only the first take kept');
    assert.deepEqual(await rows("SELECT id FROM entry WHERE note = 'take'"), [{ id: '600' }], 'the refused and the failed trips rolled back their entries');
    // The connections those trips used serve the next trips with nothing left open.
    await Promise.all(Array.from({ length: 6 }, (_, i) => runInOneTrip(db, [open(400 + i)])));
    assert.equal((await rows('SELECT id FROM account WHERE id >= 400')).length, 6);
  });

  it('counts every statement of a trip by kind, and the transaction by how it ended', async () => {
    const scrape = async () => parsePrometheusText(await register.metrics());
    const before = await scrape();
    await runInOneTrip(db, [open(200), entry(200, 200)]);
    await runInOneTrip(db, [open(201), entry(10, 201)]).catch(() => undefined);
    const after = await scrape();
    const grew = (name: string, labels: Record<string, string>) => sumOf(after, name, labels) - sumOf(before, name, labels);
    assert.equal(grew('db_statements_total', { kind: 'insert' }), 4);
    assert.equal(grew('db_statements_total', { kind: 'begin' }), 2);
    assert.equal(grew('db_statements_total', { kind: 'rollback' }), 1);
    assert.equal(grew('db_transactions_total', { outcome: 'commit' }), 1);
    assert.equal(grew('db_transactions_total', { outcome: 'rollback' }), 1);
  });
});
