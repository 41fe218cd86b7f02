/**
 * What a process asks of MySQL, counted for the cost of an order (bench:orders) and for
 * operators: every statement Sequelize sends, by kind, and every transaction by how it ended.
 *
 *   db_statements_total{kind="select|insert|update|delete|begin|commit|rollback|other"}
 *   db_transactions_total{outcome="commit|rollback"}
 *   db_round_trips_total: what costs (one per statement Sequelize sends, one per one-trip
 *                         transaction of one-trip.ts however many statements it carries)
 *
 * Counted from Sequelize's `logging` hook (createSequelize), which Sequelize calls with the SQL
 * of every query it sends, transaction control included (`START TRANSACTION;`, `COMMIT;`,
 * `ROLLBACK;`). A statement is counted when it is sent, whether it then succeeds or not; the
 * session set-up run once per new pooled connection (mysql.ts) is not. On the hot path: a look
 * at a few characters and one addition (hot-counter.ts), no string built, no label looked up.
 */
import { hotCounter, type CounterSlot } from '../metrics/hot-counter';

export const STATEMENT_KINDS = ['select', 'insert', 'update', 'delete', 'begin', 'commit', 'rollback', 'other'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

const statements = hotCounter('db_statements_total', 'SQL statements sent to MySQL, by kind (begin/commit/rollback: transaction control)', ['kind']);
const transactions = hotCounter('db_transactions_total', 'MySQL transactions ended, by outcome', ['outcome']);
const ROUND_TRIPS = hotCounter('db_round_trips_total', 'Round trips to MySQL: a statement sent alone, or a one-trip transaction', []).slot();

const STATEMENT_SLOTS = Object.fromEntries(STATEMENT_KINDS.map((kind) => [kind, statements.slot(kind)])) as Record<StatementKind, CounterSlot>;
const COMMITS = transactions.slot('commit');
const ROLLBACKS = transactions.slot('rollback');

/** Whether `word` (lower-case letters) starts at `at`, in any case. */
function startsWith(sql: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if ((sql.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

function skipBlanks(sql: string, at: number): number {
  while (at < sql.length && sql.charCodeAt(at) <= 0x20) at++;
  return at;
}

/**
 * The kind of the statement that starts at `from` in `sql` (leading blanks skipped), from its
 * first word only. `ROLLBACK TO SAVEPOINT` ends no transaction: it is `other`, like `SET`,
 * `SAVEPOINT`, `SHOW` and DDL. `REPLACE` counts as an insert, `WITH` as a select.
 */
export function statementKind(sql: string, from = 0): StatementKind {
  const at = skipBlanks(sql, from);
  if (startsWith(sql, at, 'select') || startsWith(sql, at, 'with')) return 'select';
  if (startsWith(sql, at, 'insert') || startsWith(sql, at, 'replace')) return 'insert';
  if (startsWith(sql, at, 'update')) return 'update';
  if (startsWith(sql, at, 'delete')) return 'delete';
  if (startsWith(sql, at, 'start') || startsWith(sql, at, 'begin')) return 'begin';
  if (startsWith(sql, at, 'commit')) return 'commit';
  if (startsWith(sql, at, 'rollback')) return startsWith(sql, skipBlanks(sql, at + 8), 'to') ? 'other' : 'rollback';
  return 'other';
}

/** Where the SQL starts in a message of Sequelize's logging hook: "Executing (<connection or transaction id>): <sql>". */
function sqlStart(message: string): number {
  const at = message.indexOf('): ', 10);
  return at < 0 ? 0 : at + 3;
}

/** Counts one statement from Sequelize's logging message (see createSequelize). */
export function countStatement(message: string): void {
  ROUND_TRIPS.inc();
  const kind = countSql(message, sqlStart(message));
  if (kind === 'commit') countTransactionEnd('commit');
  else if (kind === 'rollback') countTransactionEnd('rollback');
}

/** Counts one statement sent, by its kind, and answers the kind (one-trip.ts counts its statements one by one). */
export function countSql(sql: string, from = 0): StatementKind {
  const kind = statementKind(sql, from);
  STATEMENT_SLOTS[kind].inc();
  return kind;
}

/** Counts a round trip that carried several statements (one-trip.ts; counted one by one with countSql). */
export function countRoundTrip(): void {
  ROUND_TRIPS.inc();
}

/** Counts a transaction ended. */
export function countTransactionEnd(outcome: 'commit' | 'rollback'): void {
  (outcome === 'commit' ? COMMITS : ROLLBACKS).inc();
}
