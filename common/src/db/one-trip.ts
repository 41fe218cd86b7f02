/**
 * Write transactions sent in one round trip: `START TRANSACTION; s1; s2; ...; COMMIT` as one
 * multi-statement packet, instead of one round trip per statement through Sequelize.
 *
 * Why: on the hot path a round trip, not a statement, is what costs (docs/decisions.md, "one
 * round trip per write transaction"): placing an order wrote two transactions of five round
 * trips each. A one-trip transaction takes one, whatever its length, for about a quarter of the
 * CPU (client and server) of the same statements sent one by one.
 *
 * What it keeps:
 * - atomicity: the server runs the statements in order and stops at the first that fails; the
 *   transaction is then rolled back (ROLLBACK on the same connection, or by the server when the
 *   connection dies), nothing of it stays;
 * - the session of every other connection: UTC, strict SQL mode, the same isolation level;
 * - the counters of db-metrics.ts, statement by statement, and one span per trip (mysql2's
 *   instrumentation, as for any statement);
 * - no stacked statement ever comes from outside: only this module's own pool accepts several
 *   statements per packet, and every value in them is escaped by mysql2 (`?` placeholders) the
 *   way Sequelize's replacements are. Sequelize's connections keep refusing stacked statements.
 *
 * Statements that depend on an earlier one's effect say so in SQL (`SET @moved = ROW_COUNT()`,
 * `INSERT ... SELECT ... WHERE @moved = 1`): there is no client-side branching inside a trip.
 */
import { createRequire } from 'node:module';
import type { Pool, PoolConnection } from 'mysql2';
import type { Sequelize } from 'sequelize';
import { countRoundTrip, countSql, countTransactionEnd } from './db-metrics';

/** One SQL statement and the values of its `?` placeholders. */
export interface Statement {
  sql: string;
  values?: unknown[];
}

/**
 * A one-trip transaction that failed. With the server's error (`errno`) nothing of it was
 * committed; with a connection lost after the packet left, the outcome is unknown, as with any
 * COMMIT whose answer was lost (callers already live with that: the abandoned-order sweeper, the
 * half message's check-back). `errno` is the server's
 * (a duplicate key, a deadlock), also as Sequelize's errors carry it (`parent.errno`), so that
 * isDuplicateKey and withDeadlockRetry read both alike.
 */
export class OneTripError extends Error {
  readonly errno?: number;
  readonly parent: { errno?: number };

  constructor(cause: Error & { errno?: number }) {
    super(`one-trip transaction failed: ${cause.message}`, { cause });
    this.errno = cause.errno;
    this.parent = { errno: cause.errno };
  }
}

/**
 * What a Sequelize instance carries for its trips, under a key of the global symbol registry:
 * tests load this module twice (common/src through tsx, common/dist through a service's
 * imports), and both copies must find the same session and the same pool on the instance.
 */
const TRIPS = Symbol.for('@shop/common/db/one-trip');

interface TripState {
  /** The session statements of every trip connection (createSequelize's, and UTC). */
  session: string[];
  pool?: Pool;
}

const stateOf = (sequelize: Sequelize): TripState | undefined => (sequelize as unknown as Record<symbol, TripState | undefined>)[TRIPS];

/**
 * Lets `sequelize` run one-trip transactions, on connections set up with `session` (besides
 * UTC); its close() ends their pool too. Called by createSequelize.
 */
export function allowOneTrips(sequelize: Sequelize, session: string[]): void {
  const state: TripState = { session: ["SET time_zone = '+00:00'", ...session] };
  (sequelize as unknown as Record<symbol, TripState>)[TRIPS] = state;
  const close = sequelize.close.bind(sequelize);
  sequelize.close = async () => {
    const pool = state.pool;
    state.pool = undefined;
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
    return close();
  };
}

function poolOf(sequelize: Sequelize): Pool {
  const state = stateOf(sequelize);
  if (!state) throw new Error('one-trip transactions need a Sequelize made by createSequelize');
  if (state.pool) return state.pool;
  const { session } = state;
  const { host, port, username, password, database, pool: sizes } = sequelize.config;
  // Required here, not imported: mysql2's tracing instrumentation (start-tracing.ts) patches the
  // module for the requires made after it started, and a trip is a span like any statement.
  const { createPool } = createRequire(__filename)('mysql2') as typeof import('mysql2');
  const pool = createPool({
    host,
    port: Number(port),
    user: username,
    password: password ?? undefined,
    database,
    // A trip holds its connection for one round trip only: fewer than Sequelize's.
    connectionLimit: Math.max(2, Math.ceil((sizes?.max ?? 10) / 2)),
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: false,
    timezone: 'Z',
    connectTimeout: 10_000,
  });
  // Queued on each new connection before the query the pool hands it out for.
  pool.on('connection', (connection) => connection.query(session.join(';')));
  state.pool = pool;
  return pool;
}

function acquire(pool: Pool): Promise<PoolConnection> {
  return new Promise((resolve, reject) => pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))));
}

function send(connection: PoolConnection, sql: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => connection.query(sql, (error, results) => (error ? reject(error) : resolve(results as unknown[]))));
}

/**
 * Runs the statements as one transaction, in one round trip; resolves to each statement's
 * result (rows for a SELECT, the result header with affectedRows for a write), in order.
 * Rejects with a {@link OneTripError} when a statement failed (nothing committed) or the
 * connection was lost (the outcome unknown, as with a lost COMMIT).
 */
export async function runInOneTrip(sequelize: Sequelize, statements: Statement[]): Promise<unknown[]> {
  const pool = poolOf(sequelize);
  const sqls = statements.map((statement) => pool.format(statement.sql, statement.values ?? []));
  const connection = await acquire(pool);
  // Counted when sent, as createSequelize counts Sequelize's statements.
  countSql('START TRANSACTION');
  for (const sql of sqls) countSql(sql);
  countSql('COMMIT');
  countRoundTrip();
  let reusable = true;
  try {
    const results = await send(connection, ['START TRANSACTION', ...sqls, 'COMMIT'].join(';\n'));
    countTransactionEnd('commit');
    return results.slice(1, 1 + sqls.length);
  } catch (error) {
    reusable = await rollBack(connection, error);
    throw new OneTripError(error as Error);
  } finally {
    if (reusable) connection.release();
    else connection.destroy();
  }
}

/**
 * A transaction whose end depends on what it found (a reservation that meets a shortage): START
 * TRANSACTION and the statements in one round trip, then COMMIT or ROLLBACK in a second, as
 * `shouldCommit(results)` decides. Two round trips instead of one per statement; the row locks
 * are held across the two, as they would be, longer, statement by statement. Rejects with a
 * {@link OneTripError} when a statement failed (rolled back), or when the COMMIT did not answer
 * (the outcome then unknown, as with any lost COMMIT).
 */
export async function runInTwoTrips(
  sequelize: Sequelize,
  statements: Statement[],
  shouldCommit: (results: unknown[]) => boolean | Promise<boolean>,
): Promise<{ results: unknown[]; committed: boolean }> {
  const pool = poolOf(sequelize);
  const sqls = statements.map((statement) => pool.format(statement.sql, statement.values ?? []));
  const connection = await acquire(pool);
  countSql('START TRANSACTION');
  for (const sql of sqls) countSql(sql);
  countRoundTrip();
  let reusable = true;
  try {
    let results: unknown[];
    try {
      results = (await send(connection, ['START TRANSACTION', ...sqls].join(';\n'))).slice(1);
    } catch (error) {
      reusable = await rollBack(connection, error);
      throw new OneTripError(error as Error);
    }
    let committed: boolean;
    try {
      committed = await shouldCommit(results);
    } catch (error) {
      // Never hand a connection back with the transaction open.
      reusable = await rollBack(connection, error);
      throw error;
    }
    countSql(committed ? 'COMMIT' : 'ROLLBACK');
    countRoundTrip();
    try {
      await send(connection, committed ? 'COMMIT' : 'ROLLBACK');
    } catch (error) {
      reusable = false;
      throw new OneTripError(error as Error);
    }
    countTransactionEnd(committed ? 'commit' : 'rollback');
    return { results, committed };
  } finally {
    if (reusable) connection.release();
    else connection.destroy();
  }
}

/**
 * After a statement of a trip failed, the transaction is still open on the connection: rolled
 * back before the connection serves anyone else. False when the connection cannot be reused (a
 * lost connection is rolled back by the server).
 */
async function rollBack(connection: PoolConnection, failure: unknown): Promise<boolean> {
  if ((failure as { fatal?: boolean }).fatal) return false;
  countSql('ROLLBACK');
  countRoundTrip();
  return send(connection, 'ROLLBACK').then(
    () => {
      countTransactionEnd('rollback');
      return true;
    },
    () => false,
  );
}

/** The rows a write changed (matched, with mysql2's found-rows flag), from a trip's result. */
export function affectedRows(result: unknown): number {
  return (result as { affectedRows?: number }).affectedRows ?? 0;
}

const PLAIN_INSERT = /^(\s*INSERT\s+INTO\s+[^(]+\([^)]*\))\s*VALUES\s*\(([\s\S]*)\)\s*$/i;

/**
 * The same single-row INSERT, written only if `condition` holds when the trip reaches it
 * (`INSERT INTO t (...) SELECT ... FROM DUAL WHERE condition`): how a trip makes a write depend
 * on an earlier statement's effect, e.g. `@moved = 1` after `SET @moved = ROW_COUNT()`.
 */
export function insertOnlyIf(statement: Statement, condition: string): Statement {
  const parts = PLAIN_INSERT.exec(statement.sql);
  if (!parts) throw new Error('insertOnlyIf takes a single-row INSERT INTO ... VALUES (...) statement');
  return { sql: `${parts[1]} SELECT ${parts[2]} FROM DUAL WHERE ${condition}`, values: statement.values };
}
