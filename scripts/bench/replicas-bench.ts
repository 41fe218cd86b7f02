/**
 * npm run bench:replicas: what losing one instance of every process costs when each runs twice
 * (SHOP_REPLICAS=2). Orders are placed through both order-web instances (7001 and 7011, as a load
 * balancer in front of them would spread them), each with an Idempotency-Key; a third of the way
 * in, one instance of each service and of order-web is SIGKILLed (goods-2, coupon-2, user-2,
 * order-2, pay-2, order-web-2), and started again once the load is over.
 *
 * Measured: requests that failed (5xx or no answer) against the requests in flight at the kill,
 * when the last failure came, throughput before, during and after. Then every failed request is
 * sent again with its key (what a client does), and the books are checked: per goods, the stock
 * taken equals the units of the live orders; per customer, the balance taken equals what the live
 * orders paid with it; no order left PENDING. An order "lost" would be a 2xx the books do not
 * show, or units or balance taken for no live order.
 *
 * Settings: BENCH_SECONDS (default 30), BENCH_CONCURRENCY (default 32). Needs the system running
 * with replicas: `SHOP_REPLICAS=2 npm run up` (what `npm run bench:replicas` does).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { loadInfraConfig, SCHEMA_PREFIX } from '../../common/src/config';
import { openDatabase } from '../../common/src/db';
import { UNPAID_AT_DEADLINE } from '../../services/order/src/domain/pay-deadline';
import { adminLogin, newGoods } from '../../web/order-web/test/support/shop-api';
import { signUpCustomers } from './lib/customers';
import { writeReport } from './lib/measure';

const ROOT = resolve(__dirname, '../..');
const RUN_DIR = join(process.env.SHOP_VAR_DIR ?? join(ROOT, 'var'), 'run');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const VICTIMS = ['goods-2', 'coupon-2', 'user-2', 'order-2', 'pay-2', 'order-web-2'];
const FRONT_DOORS = [`http://127.0.0.1:${process.env.ORDER_WEB_PORT ?? 7001}`, `http://127.0.0.1:${Number(process.env.ORDER_WEB_PORT ?? 7001) + 10}`];
/** After the kill, before the survivors' view is counted as steady (ZooKeeper expires the dead providers' nodes). */
const SETTLE_AFTER_KILL_MS = 12_000;

interface Attempt {
  key: string;
  token: string;
  body: unknown;
  frontDoor: number;
  startedMs: number;
  endedMs: number;
  status: number;
  orderId?: string;
  orderStatus?: string;
  rerouted?: boolean;
}

const pidOf = (name: string) => Number(readFileSync(join(RUN_DIR, `${name}.pid`), 'utf8').trim());

interface Answer {
  status: number;
  orderId?: string;
  /** The order's status in a 201 (a key whose order was cancelled answers that order, CANCELLED). */
  orderStatus?: string;
  /** Sent to the other front door because this one refused the connection (as a load balancer does). */
  rerouted?: boolean;
}

async function placeAt(frontDoor: number, token: string, body: unknown, key: string): Promise<Answer | 'refused'> {
  try {
    const response = await fetch(`${FRONT_DOORS[frontDoor]}/api/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const reply = (await response.json().catch(() => ({}))) as { orderId?: string; status?: string };
    return response.status === 201 ? { status: 201, orderId: reply.orderId, orderStatus: reply.status } : { status: response.status };
  } catch (error) {
    // A refused connection never carried the request: safe to send elsewhere.
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ? 'refused' : { status: 0 };
  }
}

/**
 * One request as a load balancer in front of both front doors passes it: to the chosen door, or
 * to the other when the chosen one refuses the connection (a killed instance, before its health
 * check marks it down). A request cut while in flight is not sent again: it is the client's to retry.
 */
async function place(frontDoor: number, token: string, body: unknown, key: string): Promise<Answer> {
  const answer = await placeAt(frontDoor, token, body, key);
  if (answer !== 'refused') return answer;
  const other = await placeAt(1 - frontDoor, token, body, key);
  return other === 'refused' ? { status: 0 } : { ...other, rerouted: true };
}

async function main(): Promise<void> {
  for (const name of VICTIMS) {
    try {
      process.kill(pidOf(name), 0);
    } catch {
      throw new Error(`${name} is not running: start the system with SHOP_REPLICAS=2 npm run up`);
    }
  }
  const profile = readFileSync(join(RUN_DIR, 'profile'), 'utf8').trim() as keyof typeof SCHEMA_PREFIX;
  const schema = (service: string) => `${SCHEMA_PREFIX[profile]}${service}`;
  const admin = (await adminLogin()).token;
  const goodsIds = await Promise.all(Array.from({ length: 8 }, () => newGoods(admin, '10.00', 1_000_000)));
  const { customers } = await signUpCustomers(admin, CONCURRENCY, { balance: '1000000.00' });
  const db = await openDatabase(loadInfraConfig().mysql, schema('order'));
  const query = <T extends object>(sql: string, replacements: unknown[]) => db.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const stockOf = async () =>
    new Map(
      (await query<{ id: string; stock: number }>(`SELECT id, stock FROM ${schema('goods')}.goods WHERE id IN (?)`, [goodsIds])).map((r) => [
        r.id,
        Number(r.stock),
      ]),
    );
  const userIds = customers.map((c) => c.userId);
  const balanceOf = async () =>
    new Map(
      (await query<{ id: string; balance: string }>(`SELECT id, balance FROM ${schema('user')}.user WHERE id IN (?)`, [userIds])).map((r) => [
        r.id,
        Math.round(Number(r.balance) * 100),
      ]),
    );
  const stockBefore = await stockOf();
  const balanceBefore = await balanceOf();

  const attempts: Attempt[] = [];
  const inFlight = [0, 0];
  const started = Date.now();
  const end = started + SECONDS * 1_000;
  let next = 0;
  const worker = async (w: number) => {
    const customer = customers[w]!;
    while (Date.now() < end) {
      const i = next++;
      const frontDoor = i % 2;
      const body = {
        items: [{ goodsId: goodsIds[i % goodsIds.length], quantity: 1 + (i % 3) }],
        balance: '1.00',
        address: '1 Replica Road',
        consignee: 'Bench',
      };
      const key = randomUUID();
      const startedMs = Date.now() - started;
      inFlight[frontDoor]!++;
      const answer = await place(frontDoor, customer.token, body, key);
      inFlight[frontDoor]!--;
      attempts.push({ key, token: customer.token, body, frontDoor, startedMs, endedMs: Date.now() - started, ...answer });
    }
  };
  const killAtMs = (SECONDS * 1_000) / 3;
  // The killed instances stay down until the load ends: what is measured is the loss of one
  // instance of each, not six processes starting at once on the same cores.
  const kill = (async () => {
    await new Promise((r) => setTimeout(r, killAtMs));
    const atKill = { total: inFlight[0]! + inFlight[1]!, onKilledFrontDoor: inFlight[1]! };
    for (const name of VICTIMS) process.kill(pidOf(name), 'SIGKILL');
    console.log(
      `[replicas] +${(killAtMs / 1000).toFixed(0)}s SIGKILL ${VICTIMS.join(', ')}: ${atKill.total} requests in flight, ${atKill.onKilledFrontDoor} of them on order-web-2`,
    );
    return atKill;
  })();
  await Promise.all(customers.map((_, w) => worker(w)));
  const atKill = await kill;
  const exec = promisify(execFile);
  await Promise.all(
    VICTIMS.map((name) => exec('bash', [join(ROOT, 'deploy/local/system.sh'), 'start', name], { env: { ...process.env, SHOP_REPLICAS: '2' } })),
  );
  console.log(`[replicas] every instance started again after the load`);

  const failed = attempts.filter((a) => a.status === 0 || a.status >= 500);
  const refused = attempts.filter((a) => a.status >= 400 && a.status < 500);
  const confirmed = attempts.filter((a) => a.status === 201);
  const rerouted = attempts.filter((a) => a.rerouted).length;
  // What a client does with a failed request: send it again, same key (to the surviving front door).
  const retried = await Promise.all(failed.map((a) => place(0, a.token, a.body, a.key)));

  // The books, read until they balance or two minutes pass: a cancelled order's releases are
  // messages, consumed after the answer (the chaos harness waits for them the same way).
  const readBooks = async () => {
    const orders = await query<{ id: string; user_id: string; status: string; balance_paid: string; cancel_reason: string | null }>(
      `SELECT id, user_id, status, balance_paid, cancel_reason FROM ${schema('order')}.\`order\` WHERE user_id IN (?)`,
      [userIds],
    );
    const live = orders.filter((o) => o.status !== 'CANCELLED' && o.status !== 'PENDING');
    const liveIds = new Set(live.map((o) => o.id));
    const items = await query<{ order_id: string; goods_id: string; quantity: number }>(
      `SELECT order_id, goods_id, quantity FROM ${schema('order')}.order_item WHERE order_id IN (?)`,
      [[...liveIds, '0']],
    );
    const stockAfter = await stockOf();
    const balanceAfter = await balanceOf();
    const violations: string[] = [];
    for (const goodsId of goodsIds) {
      const units = items.filter((item) => item.goods_id === goodsId).reduce((sum, item) => sum + Number(item.quantity), 0);
      const taken = stockBefore.get(goodsId)! - stockAfter.get(goodsId)!;
      if (taken !== units) violations.push(`goods ${goodsId}: ${taken} units taken, ${units} in live orders`);
    }
    for (const userId of userIds) {
      const paid = live.filter((o) => o.user_id === userId).reduce((sum, o) => sum + Math.round(Number(o.balance_paid) * 100), 0);
      const taken = balanceBefore.get(userId)! - balanceAfter.get(userId)!;
      if (taken !== paid) violations.push(`user ${userId}: ${taken} cents of balance taken, ${paid} paid by live orders`);
    }
    // A 201 that said CONFIRMED must be a live order, or one its pay deadline cancelled (nobody
    // pays here: with the test profile's 20 s deadline every order ends so, its stock and balance
    // given back). A retried key may answer its order CANCELLED (the placement it stood for was
    // cut by the kill, and the check-back cancelled it).
    const expiredIds = new Set(orders.filter((o) => o.status === 'CANCELLED' && o.cancel_reason === UNPAID_AT_DEADLINE).map((o) => o.id));
    const answeredConfirmed = [...confirmed, ...retried].filter((a) => a.orderStatus === 'CONFIRMED').map((a) => a.orderId!);
    for (const id of answeredConfirmed)
      if (!liveIds.has(id) && !expiredIds.has(id)) violations.push(`order ${id} answered CONFIRMED but is neither live nor expired unpaid`);
    const pending = orders.filter((o) => o.status === 'PENDING').length;
    if (pending > 0) violations.push(`${pending} orders still PENDING`);
    return { live, expired: expiredIds.size, violations };
  };
  const settleStarted = Date.now();
  let books = await readBooks();
  while (books.violations.length > 0 && Date.now() - settleStarted < 120_000) {
    await new Promise((r) => setTimeout(r, 2_000));
    books = await readBooks();
  }
  const { live, expired, violations } = books;
  const balancedAfterMs = violations.length === 0 ? Date.now() - settleStarted : undefined;

  const window = (from: number, to: number) => {
    const inWindow = attempts.filter((a) => a.endedMs >= from && a.endedMs < to);
    return ((inWindow.filter((a) => a.status === 201).length / (to - from)) * 1000).toFixed(1);
  };
  const lastFailureMs = Math.max(...failed.map((a) => a.endedMs), 0);
  const figures = {
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    requests: attempts.length,
    confirmed: confirmed.length,
    refused4xx: refused.length,
    failed: failed.length,
    inFlightAtKill: atKill.total,
    inFlightOnKilledFrontDoor: atKill.onKilledFrontDoor,
    lastFailureAfterKillMs: failed.length > 0 ? lastFailureMs - killAtMs : 0,
    rerouted,
    retriedConfirmed: retried.filter((r) => r.orderStatus === 'CONFIRMED').length,
    retriedCancelled: retried.filter((r) => r.orderStatus === 'CANCELLED').length,
    retriedOther: retried.filter((r) => r.status !== 201).map((r) => r.status),
    ordersPerSecond: {
      beforeKill: window(0, killAtMs),
      firstSecondsAfterKill: window(killAtMs, killAtMs + SETTLE_AFTER_KILL_MS),
      onTheSurvivors: window(killAtMs + SETTLE_AFTER_KILL_MS, SECONDS * 1_000),
    },
    liveOrders: live.length,
    expiredUnpaid: expired,
    booksBalancedAfterMs: balancedAfterMs,
    violations,
  };
  const markdown = [
    '# bench:replicas',
    '',
    `Two instances of every process; ${CONCURRENCY} clients placing orders for ${SECONDS} s through both order-web instances; at +${(killAtMs / 1000).toFixed(0)} s SIGKILL of ${VICTIMS.join(', ')}, started again after the load.`,
    '',
    '| figure | value |',
    '|---|---:|',
    `| requests | ${figures.requests} |`,
    `| confirmed (201) | ${figures.confirmed} |`,
    `| refused (4xx) | ${figures.refused4xx} |`,
    `| failed (5xx or no answer) | ${figures.failed} |`,
    `| in flight at the kill (all / on order-web-2) | ${figures.inFlightAtKill} / ${figures.inFlightOnKilledFrontDoor} |`,
    `| last failure after the kill | ${figures.lastFailureAfterKillMs} ms |`,
    `| sent to order-web instead of a refusing order-web-2 | ${figures.rerouted} |`,
    `| failed requests sent again with their key: CONFIRMED / CANCELLED (cut by the kill) / other | ${figures.retriedConfirmed} / ${figures.retriedCancelled} / ${figures.retriedOther.length} |`,
    `| orders/s before the kill / in the ${SETTLE_AFTER_KILL_MS / 1000} s after it / on the survivors alone | ${figures.ordersPerSecond.beforeKill} / ${figures.ordersPerSecond.firstSecondsAfterKill} / ${figures.ordersPerSecond.onTheSurvivors} |`,
    `| live orders in the books / cancelled by their pay deadline (unpaid) | ${figures.liveOrders} / ${figures.expiredUnpaid} |`,
    `| books balanced after the load (releases consumed) | ${balancedAfterMs === undefined ? 'NOT within 2 minutes' : `${(balancedAfterMs / 1000).toFixed(1)} s`} |`,
    `| violations (stock, balance, 201s neither live nor expired, PENDING) | ${violations.length} |`,
    '',
    ...violations.map((v) => `- ${v}`),
  ].join('\n');
  console.log(markdown);
  console.log(`report: ${writeReport('replicas', markdown, figures)}`);
  await db.close();
  if (violations.length > 0 || failed.length > atKill.total) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
