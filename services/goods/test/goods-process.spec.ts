import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadInfraConfig } from '@shop/common/config';
import { openDatabase } from '@shop/common/db';
import { ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createLogger } from '@shop/common/log';
import { parsePrometheusText, sumOf } from '@shop/common/metrics';
import { createRpcClient, parseProviderNode, providersPath, RpcError, RpcTransport, ZkRegistry, type RpcClient } from '@shop/common/rpc';
import { ZkSession } from '@shop/common/zk';
import { goodsContract } from '@shop/contracts';

/**
 * The goods service as it runs: the built main.js in its own process, found through ZooKeeper,
 * called over gRPC, stopped with SIGTERM. It registers under a ZooKeeper chroot of its own, so
 * that the goods service of the running system (npm test starts it) is not mixed in, and
 * consumes in a group of its own, so that it does not take the system's order.cancel messages.
 */
const CHROOT = '/shop-test-goods-process';
describe('goods service process (built main.js, real ZooKeeper, MySQL, RocketMQ)', function () {
  this.timeout(60_000);
  const infra = loadInfraConfig();
  const logger = createLogger('goods-process-test', process.env.LOG_LEVEL ?? 'silent');
  const ids = new SnowflakeGenerator(904);
  let child: ChildProcess;
  let registry: ZkRegistry;
  /** Each method admits its callers only (mutual TLS): the catalogue as order-web, stock as order, a manual release as ops. */
  let goods: RpcClient<typeof goodsContract.definition>;
  let asOrder: RpcClient<typeof goodsContract.definition>;
  let asOps: RpcClient<typeof goodsContract.definition>;

  before(async () => {
    // A schema of its own, new each run: the process migrates it as a fresh install would.
    const admin = await openDatabase(infra.mysql, 'shop_test_goods_process');
    await admin.query('DROP DATABASE shop_test_goods_process');
    await admin.close();
    const root = await ZkSession.open(infra.zookeeper);
    await root.mkdirp(CHROOT);
    root.close();
    const zookeeper = { ...infra.zookeeper, connect: `${infra.zookeeper.connect}${CHROOT}` };
    child = spawn(process.execPath, [join(__dirname, '../dist/main.js')], {
      env: {
        ...process.env,
        // The local stack's certificates and defaults (a bare process would be production).
        NODE_ENV: 'development',
        GOODS_SCHEMA: 'shop_test_goods_process',
        GOODS_CONSUMER_GROUP: `shop-goods-test-${randomUUID().slice(0, 8)}`,
        ZK_CONNECT: zookeeper.connect,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    registry = await ZkRegistry.connect({ ...zookeeper, logger });
    const as = (identity: string) =>
      createRpcClient(goodsContract, { application: identity, registry, logger, transport: RpcTransport.fromConfig(infra.rpcTls, identity) });
    goods = await as('order-web');
    asOrder = await as('order');
    asOps = await as('ops');
    const deadline = Date.now() + 40_000;
    while (!goods.$providers().some((p) => p.url.application === 'goods')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the goods service did not register');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([goods, asOrder, asOps].map((client) => client?.$close()));
    registry?.close();
  });

  it('serves the catalogue and stock over gRPC, with stable error codes', async () => {
    const requestId = randomUUID();
    const created = await goods.createGoods({ requestId, name: 'notebook', price: '12.30', stock: 3, categoryId: '', description: '' });
    assert.deepEqual(
      await goods.createGoods({ requestId, name: 'notebook', price: '12.30', stock: 3, categoryId: '', description: '' }),
      created,
      'idempotent by request id',
    );
    const orderId = ids.next();
    // Priced at 12.30 a moment ago: taken only while the goods still sell at it.
    await assert.rejects(asOrder.reduceStock({ orderId: ids.next(), lines: [{ goodsId: created.goodsId, quantity: 2, price: '12.00' }] }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.PRICE_CHANGED);
      assert.match(error.message, /is now 12\.30/);
      return true;
    });
    assert.equal((await goods.getGoods({ goodsId: created.goodsId })).stock, 3, 'nothing taken at the old price');
    assert.deepEqual(await asOrder.reduceStock({ orderId, lines: [{ goodsId: created.goodsId, quantity: 2, price: '12.3' }] }), { applied: true });
    assert.equal((await goods.getGoods({ goodsId: created.goodsId })).stock, 1);
    await assert.rejects(asOrder.reduceStock({ orderId: ids.next(), lines: [{ goodsId: created.goodsId, quantity: 2, price: '' }] }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.INSUFFICIENT_STOCK);
      return true;
    });
    await assert.rejects(goods.getGoods({ goodsId: 'nope' }), (error: unknown) => error instanceof RpcError && error.code === ErrorCode.INVALID_ARGUMENT);
    assert.deepEqual(await asOps.releaseStock({ orderId }), { releasedUnits: 2 });
    assert.equal((await goods.getGoods({ goodsId: created.goodsId })).stock, 3);
  });

  it('serves its metrics on an admin port registered with its provider URL as metrics.port', async () => {
    const service = goodsContract.name;
    const nodes = (await registry.currentSession.getChildren(providersPath(service))).filter((node) => parseProviderNode(node, service)?.pid === child.pid);
    assert.equal(nodes.length, 1, 'one provider of the process in ZooKeeper');
    const port = Number(new URL(decodeURIComponent(nodes[0]!)).searchParams.get('metrics.port'));
    assert.ok(port > 0, `metrics.port on ${decodeURIComponent(nodes[0]!)}`);
    assert.equal(goods.$providers()[0]!.url.metricsPort, port, 'and the clients read it');
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(response.status, 200);
      return parsePrometheusText(await response.text());
    };
    const before = await scrape();
    assert.ok(sumOf(before, 'process_resident_memory_bytes') > 0, "Node's process metrics");
    const created = await goods.createGoods({ requestId: randomUUID(), name: 'scraped', price: '1.00', stock: 1, categoryId: '', description: '' });
    await asOrder.reduceStock({ orderId: ids.next(), lines: [{ goodsId: created.goodsId, quantity: 1, price: '1.00' }] });
    const after = await scrape();
    const grew = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);
    assert.ok(grew('db_statements_total') >= 4, `SQL statements counted (${grew('db_statements_total')})`);
    assert.ok(grew('db_statements_total', { kind: 'update' }) >= 1, 'the stock update among them');
    assert.ok(grew('db_transactions_total', { outcome: 'commit' }) >= 1, 'and the reservation committed');
    assert.equal(grew('grpc_server_started_total', { grpc_method: 'ReduceStock' }), 1, 'the RPC received');
    assert.equal(grew('grpc_server_handled_total', { grpc_method: 'ReduceStock', grpc_code: 'OK' }), 1, 'and served');
    assert.equal(grew('grpc_server_handling_seconds_count', { grpc_method: 'ReduceStock' }), 1, 'in a time observed');
    assert.equal(((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string }).status, 'ok');
  });

  it('unregisters and exits cleanly on SIGTERM', async () => {
    const admin = goods.$providers()[0]?.url.metricsPort;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const deadline = Date.now() + 10_000;
    while (goods.$providers().length > 0) {
      if (Date.now() > deadline) throw new Error('still registered after shutdown');
      await new Promise((r) => setTimeout(r, 100));
    }
    await assert.rejects(fetch(`http://127.0.0.1:${admin}/healthz`), 'the admin port is closed too');
  });
});
