/**
 * The running system's metrics, scraped as Prometheus scrapes them: every gRPC service at the
 * admin port its provider URL in ZooKeeper names (metrics.port), the front doors at their admin
 * listeners, found the way `npm run observability:targets` finds them. One order, placed with a
 * coupon and balance through order-web and paid through pay-web and the local Alipay gateway,
 * must move in each process the counters that describe its part: HTTP requests at the doors,
 * gRPC calls on both sides, the half message and its resolution, the outbox's sends, the
 * consumers' deliveries and lag, SQL, and the business counters. Other specs may run orders at
 * the same time: every counter is asked to grow by at least what this order adds. With replicas
 * (SHOP_REPLICAS=2), a process's samples are those of all its instances, as a Prometheus query
 * summing by application sees them: the order may go through either instance of each.
 */
import assert from 'node:assert/strict';
import { parsePrometheusText, sumOf, type MetricSample } from '@shop/common/metrics';
import { ZkSession } from '@shop/common/zk';
import { eventually, infra } from '../../../common/test/support/infra';
import { frontDoorTargets, serviceTargets, type ScrapeTarget } from '../../../scripts/observability/lib/scrape-targets';
import { paidOrder } from '../../pay-web/test/support/fixtures';
import { withSystem } from './support/end-to-end';
import { instancePid, instancesOf } from './support/processes';
import type { SystemState } from './support/system-state';

const SERVICES = ['goods', 'coupon', 'user', 'order', 'pay'] as const;
const FRONT_DOORS = ['order-web', 'pay-web'] as const;
type Scrapes = Map<string, MetricSample[]>;

/** What one order must add to a process's counter: at least `atLeast` (other specs may add more). */
interface Expectation {
  process: (typeof SERVICES)[number] | (typeof FRONT_DOORS)[number];
  metric: string;
  labels: Record<string, string>;
  atLeast: number;
}

const grpc = (service: string, method: string, code = 'OK') => ({
  grpc_type: 'unary',
  grpc_service: `shop.${service}.v1.${service[0]!.toUpperCase()}${service.slice(1)}Service`,
  grpc_method: method,
  grpc_code: code,
});
/** The same labels without the code: the started counter and the histogram have none. */
const started = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).filter(([name]) => name !== 'grpc_code'));

const EXPECTED: Expectation[] = [
  // order-web: the request, and the call it makes.
  {
    process: 'order-web',
    metric: 'http_server_request_duration_seconds_count',
    labels: { method: 'POST', route: '/api/v1/orders', status_code: '201' },
    atLeast: 1,
  },
  { process: 'order-web', metric: 'grpc_client_started_total', labels: started(grpc('order', 'PlaceOrder')), atLeast: 1 },
  { process: 'order-web', metric: 'grpc_client_handled_total', labels: grpc('order', 'PlaceOrder'), atLeast: 1 },
  { process: 'order-web', metric: 'grpc_client_handling_seconds_count', labels: started(grpc('order', 'PlaceOrder')), atLeast: 1 },
  // pay-web: the payment created, and Alipay's notification.
  {
    process: 'pay-web',
    metric: 'http_server_request_duration_seconds_count',
    labels: { method: 'POST', route: '/api/v1/payments', status_code: '201' },
    atLeast: 1,
  },
  {
    process: 'pay-web',
    metric: 'http_server_request_duration_seconds_count',
    labels: { method: 'POST', route: '/api/v1/notify/alipay', status_code: '200' },
    atLeast: 1,
  },
  { process: 'pay-web', metric: 'grpc_client_handled_total', labels: grpc('pay', 'HandleAlipayNotify'), atLeast: 1 },
  // order: the placement served, its reservations called, the half message and its rollback, the outbox, the payment consumed.
  { process: 'order', metric: 'grpc_server_started_total', labels: started(grpc('order', 'PlaceOrder')), atLeast: 1 },
  { process: 'order', metric: 'grpc_server_handled_total', labels: grpc('order', 'PlaceOrder'), atLeast: 1 },
  { process: 'order', metric: 'grpc_server_handling_seconds_count', labels: started(grpc('order', 'PlaceOrder')), atLeast: 1 },
  { process: 'order', metric: 'grpc_client_handled_total', labels: grpc('goods', 'ReduceStock'), atLeast: 1 },
  { process: 'order', metric: 'grpc_client_handled_total', labels: grpc('coupon', 'UseCoupon'), atLeast: 1 },
  { process: 'order', metric: 'grpc_client_handled_total', labels: grpc('user', 'ReduceBalance'), atLeast: 1 },
  { process: 'order', metric: 'mq_produced_total', labels: { tag: 'order.cancel', kind: 'half', outcome: 'ok' }, atLeast: 1 },
  { process: 'order', metric: 'mq_transaction_resolutions_total', labels: { tag: 'order.cancel', resolution: 'rollback', outcome: 'ok' }, atLeast: 1 },
  { process: 'order', metric: 'mq_produced_total', labels: { tag: 'order.pay-deadline', kind: 'delay', outcome: 'ok' }, atLeast: 1 },
  { process: 'order', metric: 'mq_produced_total', labels: { tag: 'order.paid', kind: 'normal', outcome: 'ok' }, atLeast: 1 },
  { process: 'order', metric: 'mq_consumed_total', labels: { tag: 'pay.succeeded', outcome: 'ok' }, atLeast: 1 },
  { process: 'order', metric: 'mq_consume_lag_seconds_count', labels: {}, atLeast: 1 },
  { process: 'order', metric: 'shop_order_placements_total', labels: { outcome: 'confirmed' }, atLeast: 1 },
  { process: 'order', metric: 'shop_order_transitions_total', labels: { move: 'confirm', to: 'CONFIRMED' }, atLeast: 1 },
  { process: 'order', metric: 'shop_order_transitions_total', labels: { move: 'pay', to: 'PAID' }, atLeast: 1 },
  { process: 'order', metric: 'db_statements_total', labels: { kind: 'insert' }, atLeast: 1 },
  { process: 'order', metric: 'db_transactions_total', labels: { outcome: 'commit' }, atLeast: 2 },
  // goods, coupon, user: their reservation served, in SQL; user adds the points of order.paid.
  { process: 'goods', metric: 'grpc_server_handled_total', labels: grpc('goods', 'ReduceStock'), atLeast: 1 },
  { process: 'goods', metric: 'db_statements_total', labels: { kind: 'update' }, atLeast: 1 },
  { process: 'coupon', metric: 'grpc_server_handled_total', labels: grpc('coupon', 'UseCoupon'), atLeast: 1 },
  { process: 'coupon', metric: 'db_statements_total', labels: { kind: 'update' }, atLeast: 1 },
  { process: 'user', metric: 'grpc_server_handled_total', labels: grpc('user', 'ReduceBalance'), atLeast: 1 },
  { process: 'user', metric: 'mq_consumed_total', labels: { tag: 'order.paid', outcome: 'ok' }, atLeast: 1 },
  { process: 'user', metric: 'db_statements_total', labels: {}, atLeast: 2 },
  // pay: the payment created and paid, its timeout half message, pay.succeeded sent through the outbox.
  { process: 'pay', metric: 'grpc_server_handled_total', labels: grpc('pay', 'CreatePayment'), atLeast: 1 },
  { process: 'pay', metric: 'grpc_server_handled_total', labels: grpc('pay', 'HandleAlipayNotify'), atLeast: 1 },
  { process: 'pay', metric: 'shop_payment_transitions_total', labels: { move: 'create', to: 'UNPAID' }, atLeast: 1 },
  { process: 'pay', metric: 'shop_payment_transitions_total', labels: { move: 'pay', to: 'PAID' }, atLeast: 1 },
  { process: 'pay', metric: 'mq_produced_total', labels: { tag: 'pay.timeout', kind: 'half', outcome: 'ok' }, atLeast: 1 },
  { process: 'pay', metric: 'mq_produced_total', labels: { tag: 'pay.succeeded', kind: 'normal', outcome: 'ok' }, atLeast: 1 },
  { process: 'pay', metric: 'db_transactions_total', labels: { outcome: 'commit' }, atLeast: 1 },
];

function growth(before: Scrapes, after: Scrapes, expected: Expectation): number {
  return sumOf(after.get(expected.process)!, expected.metric, expected.labels) - sumOf(before.get(expected.process)!, expected.metric, expected.labels);
}

describe("every process's metrics, scraped from ZooKeeper's metrics.port and the front doors' admin ports", function () {
  this.timeout(60_000);
  let state: SystemState;
  let admin: string;
  /** Every instance of each process, by process name. */
  const targets = new Map<string, ScrapeTarget[]>();
  const addTarget = (name: string, target: ScrapeTarget) => targets.set(name, [...(targets.get(name) ?? []), target]);
  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  const scrapeText = async (target: ScrapeTarget): Promise<string> => {
    const response = await fetch(`http://${target.address}/metrics`);
    assert.equal(response.status, 200, `${target.application} at ${target.address}/metrics`);
    return response.text();
  };
  /** Each process's samples, every instance's together. */
  const scrapeAll = async (): Promise<Scrapes> =>
    new Map(
      await Promise.all(
        [...targets].map(async ([name, instances]) => [name, (await Promise.all(instances.map(scrapeText))).flatMap(parsePrometheusText)] as const),
      ),
    );

  before(async () => {
    const session = await ZkSession.open({ connect: infra.zookeeper.connect });
    try {
      // Only the running system's processes: a spec's own providers may be registered beside them.
      const systemPids = new Map(SERVICES.flatMap((name) => instancesOf(name).map((instance) => [instancePid(instance), name] as const)));
      for (const target of (await serviceTargets(session)).targets) {
        const name = target.pid === undefined ? undefined : systemPids.get(target.pid);
        if (name) addTarget(name, target);
      }
    } finally {
      session.close();
    }
    const host = process.env.ADMIN_HOST ?? '127.0.0.1';
    const adminPorts = { 'order-web': Number(process.env.ORDER_WEB_ADMIN_PORT ?? 7101), 'pay-web': Number(process.env.PAY_WEB_ADMIN_PORT ?? 7102) };
    for (const door of FRONT_DOORS) {
      // Instance N of a front door has its ports + 10 x (N - 1) (deploy/local/system.sh).
      const spec = instancesOf(door)
        .map((_, i) => `${door}=${host}:${adminPorts[door] + 10 * i}`)
        .join(',');
      for (const target of frontDoorTargets(spec)) addTarget(door, target);
    }
  });

  it("finds every process, each serving Node's process metrics and the gRPC and HTTP metrics under their usual names", async () => {
    assert.deepEqual([...targets.keys()].sort(), [...SERVICES, ...FRONT_DOORS].sort(), 'each service found in ZooKeeper by its pid, and both front doors');
    const scrapes = await scrapeAll();
    // A family is served from the start (its TYPE line), its series once something was counted.
    const families = new Map(
      await Promise.all([...targets].map(async ([name, instances]) => [name, (await Promise.all(instances.map(scrapeText))).join('\n')] as const)),
    );
    const serves = (name: string, family: string, type: string) => families.get(name)!.includes(`# TYPE ${family} ${type}\n`);
    for (const [name, samples] of scrapes) {
      assert.ok(sumOf(samples, 'process_resident_memory_bytes') > 0, `${name}: process_resident_memory_bytes`);
      assert.ok(
        samples.some((s) => s.name === 'nodejs_eventloop_lag_p99_seconds'),
        `${name}: nodejs_eventloop_lag_p99_seconds`,
      );
      assert.ok(
        !samples.some((s) => s.name.startsWith('rpc_server_') || s.name === 'rpc_client_calls_total'),
        `${name}: no metric left under the old gRPC names`,
      );
    }
    for (const name of SERVICES) {
      for (const family of ['grpc_server_started_total', 'grpc_server_handled_total']) assert.ok(serves(name, family, 'counter'), `${name} serves ${family}`);
      assert.ok(serves(name, 'grpc_server_handling_seconds', 'histogram'), `${name} serves grpc_server_handling_seconds`);
    }
    for (const name of [...FRONT_DOORS, 'order', 'pay'])
      for (const family of ['grpc_client_started_total', 'grpc_client_handled_total']) assert.ok(serves(name, family, 'counter'), `${name} serves ${family}`);
    for (const name of FRONT_DOORS) assert.ok(serves(name, 'http_server_request_duration_seconds', 'histogram'), `${name} times its requests`);
    for (const name of ['order', 'pay'] as const) {
      const samples = scrapes.get(name)!;
      assert.ok(
        samples.some((s) => s.name === 'mq_outbox_oldest_unsent_age_seconds'),
        `${name}: the outbox's oldest unsent age`,
      );
      assert.ok(
        samples.some((s) => s.name === 'mq_outbox_unsent_messages'),
        `${name}: the outbox backlog`,
      );
    }
    assert.ok(sumOf(scrapes.get('pay')!, 'sweeper_runs_total', { task: 'refund sweep', outcome: 'ok' }) >= 1, 'the refund sweep ran at start-up, counted');
    const unfinished = sumOf(scrapes.get('pay')!, 'shop_refunds_unfinished');
    assert.ok(Number.isInteger(unfinished) && unfinished >= 0, `refunds unfinished read at the scrape (${unfinished})`);
  });

  it('one paid order moves the counters of every process that took part', async () => {
    const before = await scrapeAll();
    const order = await paidOrder(admin, state, { coupon: true });
    assert.equal((await state.order(order.orderId))?.status, 'PAID');
    // Resolutions, outbox sends and deliveries happen after the answers: give them a little while.
    let after: Scrapes = before;
    const missing = () => EXPECTED.filter((expected) => growth(before, after, expected) < expected.atLeast);
    await eventually('every expected counter to move', 30_000, async () => {
      after = await scrapeAll();
      return missing().length === 0 ? true : undefined;
    }).catch(() => undefined);
    assert.deepEqual(
      missing().map((e) => `${e.process} ${e.metric}${JSON.stringify(e.labels)} grew by ${growth(before, after, e)}, expected at least ${e.atLeast}`),
      [],
    );
    // The latency of what moved was observed too (a histogram's count moves with its sum).
    const placeSeconds =
      sumOf(after.get('order')!, 'grpc_server_handling_seconds_sum', started(grpc('order', 'PlaceOrder'))) -
      sumOf(before.get('order')!, 'grpc_server_handling_seconds_sum', started(grpc('order', 'PlaceOrder')));
    assert.ok(placeSeconds > 0, `the placement's handling time observed (${placeSeconds} s)`);
  });
});
