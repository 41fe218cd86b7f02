/**
 * Per-request probes: rows outside the digest's scope that a refused request could still have
 * written, given what it named. A register that fails must not leave a user under the name it
 * sent; a refused goods creation no goods under its name or key; an admin call on some user,
 * order, after-sales request or payment id outside the fixture must leave that id's rows alone.
 * Read before and after the request, by primary key or an indexed column; whole rows (`*`), so
 * that the probes hold whatever columns the running build's schema has.
 */
import { TEST_SCHEMAS as S } from '@shop/common/config';
import type { StateReader } from './digest';
import type { Route } from './openapi';
import type { Prepared } from './request-plan';
import { isPlainObject } from './pools';
import type { World } from './world';

export interface Probe {
  what: string;
  sql: string;
  params: unknown[];
  /** Rows the request may write when accepted (a reconciliation run stores its report, even on GET). */
  refusedOnly?: boolean;
}

const ID = /^\d{1,20}$/;

const BY_ID: Record<string, { what: string; sql: string }[]> = {
  userId: [
    { what: 'user', sql: `SELECT * FROM ${S.user}.user WHERE id = ?` },
    { what: 'coupons of user', sql: `SELECT COUNT(*) AS n FROM ${S.coupon}.coupon WHERE user_id = ?` },
  ],
  orderId: [
    { what: 'order', sql: `SELECT * FROM ${S.order}.\`order\` WHERE id = ?` },
    { what: 'refunds of order', sql: `SELECT COUNT(*) AS n FROM ${S.pay}.refund WHERE order_id = ?` },
    { what: 'payments of order', sql: `SELECT COUNT(*) AS n, GROUP_CONCAT(status) AS s FROM ${S.pay}.trade_pay WHERE order_id = ?` },
    { what: 'after-sales of order', sql: `SELECT COUNT(*) AS n FROM ${S.order}.after_sales WHERE order_id = ?` },
  ],
  afterSalesId: [{ what: 'after-sales request', sql: `SELECT * FROM ${S.order}.after_sales WHERE id = ?` }],
  paymentId: [{ what: 'payment', sql: `SELECT * FROM ${S.pay}.trade_pay WHERE id = ?` }],
  couponId: [{ what: 'coupon', sql: `SELECT * FROM ${S.coupon}.coupon WHERE id = ?` }],
};

/** Ids named by the request (path parameters, top-level body fields) outside the world's scope. */
function namedIds(prepared: Prepared, world: World): [string, string][] {
  const named: [string, string][] = Object.entries(prepared.pathValues);
  if (isPlainObject(prepared.validBody))
    for (const [name, value] of Object.entries(prepared.validBody)) if (typeof value === 'string') named.push([name, value]);
  const owned = new Set([
    ...world.users,
    ...world.pools.ids('order'),
    ...world.pools.ids('afterSales'),
    ...world.pools.ids('payment'),
    ...world.pools.ids('coupon'),
  ]);
  return named.filter(([name, value]) => BY_ID[name] && ID.test(value) && !owned.has(value));
}

export function probesFor(route: Route, prepared: Prepared, world: World): Probe[] {
  const probes: Probe[] = [];
  for (const [name, id] of namedIds(prepared, world)) for (const { what, sql } of BY_ID[name]!) probes.push({ what: `${what} ${id}`, sql, params: [id] });
  const body = isPlainObject(prepared.validBody) ? prepared.validBody : {};
  if (route.path.endsWith('/auth/register') && typeof body.username === 'string') {
    probes.push({
      what: `users named ${JSON.stringify(body.username).slice(0, 60)}`,
      sql: `SELECT COUNT(*) AS n FROM ${S.user}.user WHERE username = ?`,
      params: [body.username],
    });
  }
  if (route.path.endsWith('/admin/goods')) {
    if (typeof body.name === 'string')
      probes.push({
        what: `goods named ${JSON.stringify(body.name).slice(0, 60)}`,
        sql: `SELECT COUNT(*) AS n FROM ${S.goods}.goods WHERE name = ?`,
        params: [body.name],
      });
    const key = prepared.wire.headers['idempotency-key'];
    if (typeof key === 'string')
      probes.push({
        what: `goods of key ${JSON.stringify(key).slice(0, 60)}`,
        sql: `SELECT COUNT(*) AS n FROM ${S.goods}.goods WHERE create_request_id = ?`,
        params: [Buffer.from(key, 'latin1').toString('utf8')],
      });
  }
  if (route.path.endsWith('/admin/reconciliation')) {
    const date = new URLSearchParams(prepared.wire.path.split('?')[1] ?? '').get('date');
    if (date) {
      probes.push({
        what: `reconciliation of ${date.slice(0, 20)}`,
        sql: `SELECT * FROM ${S.pay}.reconciliation_run WHERE bill_date = ?`,
        params: [date],
        refusedOnly: true,
      });
    }
  }
  return probes;
}

export async function readProbes(reader: StateReader, probes: Probe[]): Promise<string[]> {
  const values: string[] = [];
  for (const probe of probes) {
    try {
      values.push(JSON.stringify(await reader.query(probe.sql, probe.params)));
    } catch (error) {
      // A table the running build does not have (after_sales before after-sales existed): nothing to watch.
      values.push(`unreadable: ${(error as { parent?: { code?: string } }).parent?.code ?? (error as Error).message}`);
    }
  }
  return values;
}

/** What changed between two readings of the same probes (an accepted request may write the refusedOnly ones). */
export function probeChanges(probes: Probe[], before: string[], after: string[], accepted: boolean): string[] {
  return probes.flatMap((probe, index) =>
    before[index] === after[index] || (accepted && probe.refusedOnly) ? [] : [`${probe.what}: ${before[index]} -> ${after[index]}`],
  );
}
