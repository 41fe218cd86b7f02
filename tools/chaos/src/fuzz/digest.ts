/**
 * The oracle's view of the state: every row, in every schema, that the fuzz run's users can reach
 * (their user rows and logs, coupons, orders with items, history, cart, after-sales and refund
 * holds, payments and refunds, the release ledgers and message logs of their orders, the goods
 * the fixture created), read in one consistent snapshot. Rows are keyed so that a difference
 * names the table and the row.
 *
 * Rows of other people's tests (running on the same system) are never read: a table-wide count
 * would change under our feet. What a refused request could add outside this scope (a user
 * registered under the name it sent, goods under the name it sent, rows of an id in its path)
 * is checked by per-request probes (probes.ts).
 */
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { loadInfraConfig, TEST_SCHEMAS as S } from '@shop/common/config';
import { createSequelize } from '@shop/common/db';

/** part -> row key -> the row's values (JSON text). */
export type Snapshot = Map<string, Map<string, string>>;

interface Part {
  name: string;
  table: string;
  key: string;
  columns: string[];
  where: string;
}

const ORDERS = `SELECT id FROM ${S.order}.\`order\` WHERE user_id IN (:users)`;

/** Scoped by the run's users (:users) and goods (:goods). */
const OWNED_PARTS: Part[] = [
  { name: 'user.user', table: `${S.user}.user`, key: 'id', columns: ['username', 'role', 'balance', 'points', 'password_hash'], where: 'id IN (:users)' },
  {
    name: 'user.user_money_log',
    table: `${S.user}.user_money_log`,
    key: 'id',
    columns: ['user_id', 'order_id', 'type', 'ref', 'amount'],
    where: 'user_id IN (:users)',
  },
  {
    name: 'user.user_points_log',
    table: `${S.user}.user_points_log`,
    key: 'id',
    columns: ['user_id', 'order_id', 'type', 'ref', 'points'],
    where: 'user_id IN (:users)',
  },
  {
    name: 'user.user_order_release',
    table: `${S.user}.user_order_release`,
    key: 'order_id',
    columns: ['status', 'released_at', 'taken_at'],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'coupon.coupon',
    table: `${S.coupon}.coupon`,
    key: 'id',
    columns: ['user_id', 'amount', 'used', 'order_id', 'grant_request_id', 'used_at'],
    where: 'user_id IN (:users)',
  },
  {
    name: 'coupon.coupon_order_release',
    table: `${S.coupon}.coupon_order_release`,
    key: 'order_id',
    columns: ['status', 'released_at', 'taken_at'],
    where: `order_id IN (${ORDERS})`,
  },
  { name: 'goods.goods', table: `${S.goods}.goods`, key: 'id', columns: ['name', 'price', 'stock', 'on_sale', 'create_request_id'], where: 'id IN (:goods)' },
  {
    name: 'goods.goods_number_log',
    table: `${S.goods}.goods_number_log`,
    key: "CONCAT(goods_id, '/', order_id)",
    columns: ['quantity', 'status', 'released_at'],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'goods.goods_return_log',
    table: `${S.goods}.goods_return_log`,
    key: "CONCAT(refund_id, '/', goods_id)",
    columns: ['order_id', 'quantity'],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'goods.goods_order_release',
    table: `${S.goods}.goods_order_release`,
    key: 'order_id',
    columns: ['released_units', 'status', 'released_at', 'taken_at'],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'order.order',
    table: `${S.order}.\`order\``,
    key: 'id',
    columns: [
      'user_id',
      'status',
      'goods_amount',
      'shipping_fee',
      'coupon_id',
      'coupon_paid',
      'balance_paid',
      'pay_amount',
      'address',
      'consignee',
      'idempotency_key',
      'cancel_reason',
      'updated_at',
      'pay_deadline',
      'shipped_at',
      'completed_at',
      'refunded_amount',
    ],
    where: 'user_id IN (:users)',
  },
  {
    name: 'order.order_item',
    table: `${S.order}.order_item`,
    key: "CONCAT(order_id, '/', goods_id)",
    columns: ['name', 'price', 'quantity'],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'order.order_status_history',
    table: `${S.order}.order_status_history`,
    key: 'id',
    columns: ['order_id', 'from_status', 'to_status', 'actor', 'reason'],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'order.cart_item',
    table: `${S.order}.cart_item`,
    key: "CONCAT(user_id, '/', goods_id)",
    columns: ['quantity', 'checked'],
    where: 'user_id IN (:users)',
  },
  {
    name: 'order.after_sales',
    table: `${S.order}.after_sales`,
    key: 'id',
    columns: ['order_id', 'user_id', 'status', 'reason', 'amount', 'idempotency_key', 'decided_by', 'note', 'refund_id', 'decided_at'],
    where: 'user_id IN (:users)',
  },
  {
    name: 'order.order_refund',
    table: `${S.order}.order_refund`,
    key: 'refund_id',
    columns: [
      'order_id',
      'kind',
      'status',
      'amount',
      'alipay_amount',
      'balance_amount',
      'points',
      'restock',
      'release_coupon',
      'completes_order',
      'after_sales_id',
      'reason',
      'finished_at',
    ],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'pay.trade_pay',
    table: `${S.pay}.trade_pay`,
    key: 'id',
    columns: ['order_id', 'user_id', 'amount', 'balance_paid', 'status', 'alipay_trade_no', 'refunded_amount', 'paid_at', 'closed_at'],
    where: 'user_id IN (:users)',
  },
  {
    name: 'pay.pay_log',
    table: `${S.pay}.pay_log`,
    key: 'id',
    columns: ['payment_id', 'order_id', 'event', 'amount', 'detail'],
    where: `order_id IN (${ORDERS})`,
  },
  {
    name: 'pay.refund',
    table: `${S.pay}.refund`,
    key: 'id',
    columns: [
      'request_id',
      'order_id',
      'payment_id',
      'user_id',
      'amount',
      'alipay_amount',
      'balance_amount',
      'points',
      'reason',
      'status',
      'kind',
      'requested_amount',
      'items',
      'restock',
      'after_sales_id',
      'finished_at',
      'alipay_done_at',
      'balance_done_at',
      'points_done_at',
      'stock_done_at',
      'coupon_done_at',
      'failure_reason',
    ],
    where: `user_id IN (:users) OR order_id IN (${ORDERS})`,
  },
];

/**
 * The order service consumes a delayed `order.pay-deadline` message about 21 s after every
 * confirmation (by design, even for an order cancelled meanwhile): its consume-log row would look
 * like a change made by whatever request runs then. Whether that message changes an order is
 * still seen, in the order's own rows.
 */
const DELAYED_TAGS = ['order.pay-deadline'];

const CONSUMER_SCHEMAS = ['goods', 'coupon', 'user', 'order', 'pay'] as const;
const OUTBOX_SCHEMAS = ['order', 'pay'] as const;

/** Scoped by the ids of the owned rows (:keys, and :keysJson for the outboxes' JSON key arrays). */
const MESSAGE_PARTS: Part[] = [
  ...CONSUMER_SCHEMAS.map((schema) => ({
    name: `${schema}.mq_consumer_log`,
    table: `${S[schema]}.mq_consumer_log`,
    key: "CONCAT(consumer_group, '/', tag, '/', message_key)",
    columns: ['message_id'],
    // The primary key is (consumer_group, tag, message_key): naming the groups and tags makes
    // this a range read of the keys in scope instead of a scan of every message ever consumed.
    where: `consumer_group IN (:groups_${schema}) AND tag IN (:tags_${schema}) AND message_key IN (:keys) AND tag NOT IN (:delayedTags)`,
  })),
  ...OUTBOX_SCHEMAS.map((schema) => ({
    name: `${schema}.mq_producer_log`,
    table: `${S[schema]}.mq_producer_log`,
    key: 'id',
    columns: [
      'topic',
      'tag',
      'message_keys',
      'body',
      'sent_at IS NOT NULL AS sent',
      '(sent_at IS NULL AND (deliver_at IS NULL OR deliver_at <= UTC_TIMESTAMP(3))) AS due',
    ],
    // Only rows written since the reader opened (ids grow with time; the fixture comes after):
    // JSON_OVERLAPS cannot use an index, and the outbox keeps every event ever sent.
    where: `id > :outboxFloor_${schema} AND JSON_OVERLAPS(message_keys, :keysJson)`,
  })),
];

/** A column is a name, or `expression AS name`; values are read as text (ids exceed 2^53). */
const columnName = (column: string) => column.split(' AS ').pop()!.trim();
const columnExpression = (column: string) => `CAST(${column.split(' AS ')[0]!.trim()} AS CHAR)`;

function unionOf(parts: Part[]): string {
  return parts
    .map(
      (part) =>
        `SELECT '${part.name}' AS p, CAST(${part.key} AS CHAR) AS k, JSON_ARRAY(${part.columns.map(columnExpression).join(', ')}) AS v FROM ${part.table} WHERE ${part.where}`,
    )
    .join('\nUNION ALL\n');
}

const PART_COLUMNS = new Map([...OWNED_PARTS, ...MESSAGE_PARTS].map((part) => [part.name, part.columns.map(columnName)]));

/** The column names of a part's values, to show a row. */
export const columnsOf = (part: string) => PART_COLUMNS.get(part) ?? [];

/** A row of a snapshot as an object (column -> value). */
export function rowObject(part: string, value: string): Record<string, unknown> {
  const values = JSON.parse(value) as unknown[];
  return Object.fromEntries(columnsOf(part).map((column, index) => [column, values[index]]));
}

export interface Scope {
  users: string[];
  goods: string[];
}

/** Lower-case identifiers of an SQL expression (the SQL words here are upper-case). */
const identifiers = (sql: string) => sql.match(/\b[a-z_][a-z0-9_]*\b/g) ?? [];

/**
 * The parts whose tables and columns exist: the system under test may run an older build than
 * this tool knows (after-sales and refund holds came later), and a column it lacks is left out.
 */
function existing(parts: Part[], columns: Map<string, Set<string>>): Part[] {
  return parts.flatMap((part) => {
    const present = columns.get(part.table.replaceAll('`', ''));
    if (!present || !identifiers(part.key).every((name) => present.has(name))) return [];
    return [{ ...part, columns: part.columns.filter((column) => identifiers(column.split(' AS ')[0]!).every((name) => present.has(name))) }];
  });
}

export class StateReader {
  private constructor(
    private readonly db: Sequelize,
    private readonly owned: Part[],
    private readonly messages: Part[],
    /** outboxFloor_<schema>: the highest outbox id when the reader opened. */
    private readonly outboxFloors: Record<string, string>,
  ) {}

  static async open(): Promise<StateReader> {
    const mysql = loadInfraConfig().mysql;
    // One connection, READ COMMITTED outside the snapshot transaction: a reader, never a writer.
    const db = createSequelize({ ...mysql, poolMax: 1 }, S.order, undefined, {}, 'READ COMMITTED');
    await db.authenticate();
    const rows = await db.query<{ t: string; c: string }>(
      "SELECT CONCAT(table_schema, '.', table_name) AS t, column_name AS c FROM information_schema.columns WHERE table_schema IN (:schemas)",
      { type: QueryTypes.SELECT, replacements: { schemas: Object.values(S) } },
    );
    const columns = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!columns.has(row.t)) columns.set(row.t, new Set());
      columns.get(row.t)!.add(row.c.toLowerCase());
    }
    const owned = existing(OWNED_PARTS, columns);
    const messages = existing(MESSAGE_PARTS, columns);
    for (const part of [...owned, ...messages]) PART_COLUMNS.set(part.name, part.columns.map(columnName));
    const outboxFloors: Record<string, string> = {};
    for (const schema of OUTBOX_SCHEMAS) {
      const [row] = await db.query<{ floor: string }>(`SELECT CAST(COALESCE(MAX(id), 0) AS CHAR) AS floor FROM ${S[schema]}.mq_producer_log`, {
        type: QueryTypes.SELECT,
      });
      outboxFloors[`outboxFloor_${schema}`] = row?.floor ?? '0';
    }
    return new StateReader(db, owned, messages, outboxFloors);
  }

  /** The parts read (table names), for the report. */
  parts(): string[] {
    return [...this.owned, ...this.messages].map((part) => part.name);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async query<T extends object>(sql: string, replacements: Record<string, unknown> | unknown[]): Promise<T[]> {
    return this.db.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  }

  /** Every row in scope, read in one consistent snapshot (InnoDB's, across the schemas). */
  async snapshot(scope: Scope): Promise<Snapshot> {
    const users = scope.users.length ? scope.users : ['0'];
    const goods = scope.goods.length ? scope.goods : ['0'];
    return this.db.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (transaction) => {
      const owned = await this.db.query<{ p: string; k: string; v: string }>(unionOf(this.owned), {
        replacements: { users, goods },
        type: QueryTypes.SELECT,
        transaction,
      });
      const snapshot: Snapshot = new Map();
      const add = (rows: { p: string; k: string; v: string }[]) => {
        for (const row of rows) {
          let part = snapshot.get(row.p);
          if (!part) snapshot.set(row.p, (part = new Map()));
          part.set(row.k, typeof row.v === 'string' ? row.v : JSON.stringify(row.v));
        }
      };
      add(owned);
      const keys = [...new Set([...users, ...ownedIds(snapshot)])];
      // The groups and tags present, read in the same snapshot (a loose index scan of the key).
      const groupsAndTags: Record<string, string[]> = {};
      for (const schema of CONSUMER_SCHEMAS) {
        const pairs = await this.db.query<{ g: string; t: string }>(`SELECT DISTINCT consumer_group AS g, tag AS t FROM ${S[schema]}.mq_consumer_log`, {
          type: QueryTypes.SELECT,
          transaction,
        });
        groupsAndTags[`groups_${schema}`] = pairs.length ? [...new Set(pairs.map((pair) => pair.g))] : ['-'];
        groupsAndTags[`tags_${schema}`] = pairs.length ? [...new Set(pairs.map((pair) => pair.t))] : ['-'];
      }
      const messages = await this.db.query<{ p: string; k: string; v: string }>(unionOf(this.messages), {
        replacements: { keys, keysJson: JSON.stringify(keys), delayedTags: DELAYED_TAGS, ...groupsAndTags, ...this.outboxFloors },
        type: QueryTypes.SELECT,
        transaction,
      });
      add(messages);
      return snapshot;
    });
  }
}

/** Ids messages can be keyed by: orders, payments, refunds, after-sales requests, coupons. */
function ownedIds(snapshot: Snapshot): string[] {
  const ids: string[] = [];
  for (const part of ['order.order', 'pay.trade_pay', 'pay.refund', 'order.after_sales', 'coupon.coupon']) ids.push(...(snapshot.get(part)?.keys() ?? []));
  return ids;
}

export interface RowChange {
  part: string;
  key: string;
  kind: 'added' | 'removed' | 'changed';
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export function diff(before: Snapshot, after: Snapshot): RowChange[] {
  const changes: RowChange[] = [];
  for (const part of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(part) ?? new Map<string, string>();
    const now = after.get(part) ?? new Map<string, string>();
    for (const [key, value] of now) {
      const previous = old.get(key);
      if (previous === undefined) changes.push({ part, key, kind: 'added', after: rowObject(part, value) });
      else if (previous !== value) changes.push({ part, key, kind: 'changed', before: rowObject(part, previous), after: rowObject(part, value) });
    }
    for (const [key, value] of old) if (!now.has(key)) changes.push({ part, key, kind: 'removed', before: rowObject(part, value) });
  }
  return changes;
}

/** One line per change, with only the columns that changed: for reports. */
export function describeChange(change: RowChange): string {
  if (change.kind !== 'changed') return `${change.part} ${change.key} ${change.kind}: ${JSON.stringify(change.after ?? change.before)}`;
  const columns = Object.keys(change.after ?? {}).filter((column) => JSON.stringify(change.before?.[column]) !== JSON.stringify(change.after?.[column]));
  return `${change.part} ${change.key} changed: ${columns.map((column) => `${column} ${JSON.stringify(change.before?.[column])} -> ${JSON.stringify(change.after?.[column])}`).join(', ')}`;
}

/**
 * Work still in flight in the scope: a placement not decided, a refund or an approved after-sales
 * request being carried out, an outbox row due and unsent, a payment still open. The state is
 * not settled while any is left.
 */
export function inFlight(snapshot: Snapshot): string[] {
  const found: string[] = [];
  const each = (part: string, test: (row: Record<string, unknown>) => boolean, what: string) => {
    for (const [key, value] of snapshot.get(part) ?? []) if (test(rowObject(part, value))) found.push(`${what} ${key}`);
  };
  each('order.order', (row) => row.status === 'PENDING', 'PENDING order');
  each('pay.refund', (row) => row.status === 'PENDING', 'PENDING refund');
  each('order.order_refund', (row) => row.status === 'OPEN', 'open refund hold');
  each('order.after_sales', (row) => row.status === 'APPROVED', 'approved after-sales request');
  each('pay.trade_pay', (row) => row.status === 'UNPAID', 'UNPAID payment');
  // `due` leaves out timer messages not yet due; a schema without deliver_at has only `sent`.
  for (const part of ['order.mq_producer_log', 'pay.mq_producer_log'])
    each(part, (row) => (row.due === undefined ? String(row.sent) === '0' : String(row.due) === '1'), 'unsent outbox row');
  return found;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Settled {
  snapshot: Snapshot;
  stable: boolean;
  /** What was still in flight (or changing) when the wait gave up. */
  pending: string[];
  ms: number;
}

/**
 * Waits until the state has settled: nothing in flight, and two reads `intervalMs` apart agree
 * (the services react through RocketMQ within a second or two). Gives up after `timeoutMs`.
 */
export async function waitStable(reader: StateReader, scope: () => Scope, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<Settled> {
  const { intervalMs = 500, timeoutMs = 45_000 } = options;
  const started = Date.now();
  let previous = await reader.snapshot(scope());
  for (;;) {
    const pending = inFlight(previous);
    if (Date.now() - started > timeoutMs)
      return { snapshot: previous, stable: false, pending: pending.length ? pending : ['still changing'], ms: Date.now() - started };
    await sleep(pending.length ? Math.min(intervalMs, 250) : intervalMs);
    const next = await reader.snapshot(scope());
    if (pending.length === 0 && diff(previous, next).length === 0) return { snapshot: next, stable: true, pending: [], ms: Date.now() - started };
    previous = next;
  }
}
