/**
 * npm run bench:orders: orders placed through order-web (HTTP -> order -> goods + user over
 * gRPC, RocketMQ half message, MySQL in four schemas) at rising concurrency, next to two
 * baselines measured in the same run at the same concurrency:
 *   - MySQL commit rate: one INSERT + COMMIT per operation on the same server (a placement
 *     commits at least five transactions: order insert, stock, balance, confirm, and reads);
 *   - raw grpc-js: a unary Echo call to a provider process (a placement makes six RPCs).
 *
 * Each order: one of 16 goods (quantity 1) and 1.00 of balance, so stock and balance are both
 * reserved; no coupon (a coupon serves one order only). Needs the system running (`npm run up`).
 *
 * The cost of an order, per level (lib/process-metrics.ts): CPU ms per order and RSS of every
 * process from /proc, and SQL statements, transactions, gRPC calls and RocketMQ calls per order
 * from every process's own metrics, before and after the orders' phase of the level (the
 * baselines run outside that window). First, what the system burns at rest (BENCH_IDLE_SECONDS),
 * which is taken off the CPU per order.
 * Last, the latency at half the saturation rate (issue 16: p99 <= 100 ms there): orders arrive
 * at a fixed pace, half the best orders/s of the levels above, whatever the answers (open loop,
 * lib/measure.ts measurePaced), for BENCH_SECONDS.
 * Settings: BENCH_SECONDS per row (default 10), BENCH_CONCURRENCY (default "1,8,32,64"),
 * BENCH_IDLE_SECONDS (default 10), BENCH_PACED (default 1; 0 leaves the paced level out).
 */
import { cpus } from 'node:os';
import { testing } from '@shop/proto';
import { loadInfraConfig } from '../../common/src/config';
import { openDatabase } from '../../common/src/db';
import { echoContract } from '../../common/test/support/echo-contract';
import { transportAs } from '../../common/test/support/infra';
import { ProviderProcess } from '../../common/test/support/provider-process';
import { adminLogin, BASE_URL, call, newGoods } from '../../web/order-web/test/support/shop-api';
import { signUpCustomers } from './lib/customers';
import { LoadClient, ownCpu } from './lib/http-load';
import { measure, measurePaced, table, writeReport, type Result } from './lib/measure';
import { costTable, idleTable, metricsEndpoints, phaseCost, snapshotAfter, snapshotBefore, untilQuiet, type PhaseCost } from './lib/process-metrics';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,8,32,64').split(',').map(Number);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const PACED = process.env.BENCH_PACED !== '0';
const infra = loadInfraConfig();

async function main(): Promise<void> {
  const admin = (await adminLogin()).token;
  const goodsIds = await Promise.all(Array.from({ length: 16 }, () => newGoods(admin, '10.00', 10_000_000)));
  const { customers } = await signUpCustomers(admin, Math.max(...LEVELS), { balance: '1000000.00' });
  let next = 0;
  const placed: { token: string; orderId: string }[] = [];
  const orderWeb = new LoadClient(BASE_URL);
  const placeOrder = async () => {
    const i = next++;
    const token = customers[i % customers.length]!.token;
    const body = JSON.stringify({
      items: [{ goodsId: goodsIds[i % goodsIds.length], quantity: 1 }],
      balance: '1.00',
      address: '1 Bench Road',
      consignee: 'Bench',
    });
    const reply = await orderWeb.send('POST', '/api/v1/orders', body, { authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    const order = reply.status === 201 ? (JSON.parse(reply.text) as { status?: string; orderId: string }) : undefined;
    if (order?.status !== 'CONFIRMED') throw new Error(`order failed: ${reply.status} ${reply.text}`);
    placed.push({ token, orderId: order.orderId });
  };

  const db = await openDatabase({ ...infra.mysql, poolMax: Math.max(...LEVELS) }, 'shop_bench');
  await db.query('CREATE TABLE IF NOT EXISTS bench_commit (id BIGINT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(64) NOT NULL) ENGINE=InnoDB');
  const commitOne = () => db.transaction((transaction) => db.query("INSERT INTO bench_commit (payload) VALUES ('x')", { transaction }));

  const provider = await ProviderProcess.start(infra.zookeeper.connect, {});
  // Over the same mutual TLS as the services' own calls, so that the ratio compares like with like.
  const channel = transportAs('ops').channelTo(echoContract.owner);
  const raw = new testing.EchoServiceClient(provider.address, channel.credentials, channel.options);
  const echo = () => new Promise((resolve, reject) => raw.echo({ message: 'hello', delayMs: 0 }, (e, r) => (e ? reject(e) : resolve(r))));

  try {
    const { endpoints, problems } = await metricsEndpoints(infra.zookeeper.connect);
    for (const problem of problems) console.warn(problem);
    console.log(`metrics from: ${endpoints.map((e) => `${e.name} ${e.url}`).join(', ')}`);
    // The system at rest (set-up done, no load): what each process burns doing nothing. The
    // orders of an earlier run may still be expiring or releasing: wait for that to end first.
    const waited = await untilQuiet(endpoints);
    if (waited > 0) console.log(`waited ${waited} s for the messages of earlier work to be consumed`);
    const atRest = await snapshotBefore(endpoints);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1_000));
    const idle = { before: atRest, after: await snapshotAfter(endpoints) };
    const idleCost = idleTable(idle.before, idle.after);
    console.log(`idle, ${IDLE_SECONDS} s:\n${idleCost}`);

    await measure('warmup', 8, 2_000, placeOrder);
    await measure('warmup', 8, 1_000, commitOne);
    await measure('warmup', 8, 1_000, echo);
    const results: Result[] = [];
    const costs: { concurrency: number; cost: PhaseCost; clientMs: number }[] = [];
    const foreign: string[] = [];
    const placedAtRest = phaseCost(idle.before, idle.after, 1).grpcByMethod.find(([method]) => method === 'shop.order.v1.OrderService/PlaceOrder')?.[1];
    if (placedAtRest) foreign.push(`at rest: ${placedAtRest} orders placed by others`);
    for (const concurrency of LEVELS) {
      // Only the orders are inside the window: the baselines load MariaDB and the CPU too.
      const before = await snapshotBefore(endpoints);
      const spent = ownCpu();
      const orders = await measure('orders via order-web', concurrency, SECONDS * 1_000, placeOrder);
      const clientMs = spent() / (orders.calls + orders.errors);
      const after = await snapshotAfter(endpoints);
      results.push(orders);
      const cost = phaseCost(before, after, orders.calls + orders.errors, idle);
      costs.push({ concurrency, cost, clientMs });
      // Every order of the bench is one PlaceOrder; more means someone else placed orders meanwhile.
      const placeOrders = cost.grpcByMethod.find(([method]) => method === 'shop.order.v1.OrderService/PlaceOrder')?.[1] ?? 0;
      if (placeOrders > 1.02) foreign.push(`concurrency ${concurrency}: ${placeOrders.toFixed(2)} PlaceOrder calls per order of the bench`);
      results.push(await measure('MySQL INSERT+COMMIT', concurrency, (SECONDS * 1_000) / 2, commitOne));
      results.push(await measure('raw grpc-js Echo', concurrency, (SECONDS * 1_000) / 2, echo));
      console.log(table(results.slice(-3)));
      console.log(`\ncost per order at concurrency ${concurrency}:\n${costTable(costs.at(-1)!.cost, 'order')}\n${clientLine(clientMs)}\n`);
    }
    const saturation = Math.max(...results.filter((r) => r.name === 'orders via order-web').map((r) => r.perSecond));
    const halfRate = Math.max(1, Math.round(saturation / 2));
    if (PACED) {
      const paced = await measurePaced(`orders via order-web, paced at ${halfRate}/s`, halfRate, SECONDS * 1_000, placeOrder);
      results.push(paced);
      console.log(table([paced]));
    }
    const markdown = [
      `# bench:orders (${new Date().toISOString()})`,
      '',
      `Orders through order-web (one goods line of 16 goods, 1.00 of balance), ${SECONDS} s per level; baselines ${SECONDS / 2} s each at the same concurrency, in the same run.`,
      `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; everything (JVMs, MariaDB, five Node processes, this client) on this machine.`,
      '',
      table(results),
      '',
      ...(PACED
        ? [
            `The paced row: orders arriving at ${halfRate}/s, half the best rate above (${saturation.toFixed(0)}/s), for ${SECONDS} s whatever the answers; latency from when each order was due; its concurrency column is the most orders in flight at once.`,
            '',
          ]
        : []),
      `## Cost per order`,
      '',
      "From /proc (CPU, RSS) and every process's metrics (front doors at their /metrics, services at the admin port found in ZooKeeper), before and after the orders of each level; the baselines run outside that window. CPU: what each process burns at rest (below) taken off. SQL: statements other than START TRANSACTION/COMMIT/ROLLBACK; tx: transactions ended; gRPC: client-side attempts; MQ sends: messages, half messages and their commits/rollbacks.",
      '',
      ...(foreign.length > 0
        ? [`**Other load in the window** (${foreign.join('; ')}): the counts and CPU below include work that was not this bench's.`, '']
        : []),
      ...costs.flatMap(({ concurrency, cost, clientMs }) => [
        `### Concurrency ${concurrency}: ${cost.units} orders in ${cost.seconds.toFixed(1)} s`,
        '',
        costTable(cost, 'order'),
        '',
        clientLine(clientMs),
        '',
      ]),
      `## At rest: ${IDLE_SECONDS} s with no load, before the first level`,
      '',
      idleCost,
      '',
    ].join('\n');
    console.log(markdown);
    for (const level of foreign) console.warn(`other load during the level (${level}): its cost table is not the bench's alone`);
    console.log(`report: ${writeReport('bench-orders', markdown, { results, costs, idle: { seconds: IDLE_SECONDS, table: idleCost } })}`);
    // The bench's orders are cancelled now rather than expiring, one by one, inside the next run.
    let cancelled = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let order = placed.pop(); order; order = placed.pop()) {
          const reply = await call('POST', `/api/v1/orders/${order.orderId}/cancel`, { token: order.token });
          if (reply.status === 200) cancelled++;
        }
      }),
    );
    console.log(`cancelled the ${cancelled} orders the bench placed`);
  } finally {
    orderWeb.close();
    raw.close();
    await provider.stop();
    await db.close();
  }
}

const clientLine = (ms: number) => `The load generator (this bench's process, not in the table): ${ms.toFixed(2)} ms of CPU per order.`;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
