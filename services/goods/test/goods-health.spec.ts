/**
 * A service's readiness follows MySQL and ZooKeeper, in a goods service of its own (built
 * main.js): its MySQL reached through a relay the test cuts and restores, its ZooKeeper a private
 * server the test stops and starts, so that nothing the running system uses goes down. RocketMQ
 * is the stack's (health.e2e.spec.ts in order-web stops the proxy under the whole system).
 *
 * - MySQL lost: /readyz answers 503 with the mysql check down within 5 s, and grpc.health.v1 says
 *   NOT_SERVING; MySQL back: ready and SERVING again, with nobody restarting anything.
 * - ZooKeeper lost: reported (the zookeeper check down) while readiness holds: the providers the
 *   processes cached keep the calls going.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadInfraConfig } from '@shop/common/config';
import { openDatabase } from '@shop/common/db';
import { FaultyRelay } from '../../../common/test/support/faulty-relay';
import { grpcHealthStatus } from '../../../common/test/support/grpc-health';
import { freePort, ZooKeeperServer } from '../../../common/test/support/zookeeper-server';

const SCHEMA = 'shop_test_goods_health';
/** The promise to operators: readiness fails within 5 s of losing MySQL or RocketMQ. */
const FLIP_WITHIN_MS = 5_000;

interface Readiness {
  status: string;
  checks: Record<string, { status: string; critical: boolean; detail?: string }>;
  problems?: string[];
}

describe('goods service health (its own process: MySQL through a relay, a private ZooKeeper)', function () {
  this.timeout(120_000);
  const infra = loadInfraConfig();
  let mysql: FaultyRelay;
  let zookeeper: ZooKeeperServer;
  let child: ChildProcess;
  let adminPort: number;
  let rpcPort: number;

  const readiness = async (): Promise<{ code: number; body: Readiness }> => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`, { signal: AbortSignal.timeout(3_000) });
    return { code: response.status, body: (await response.json()) as Readiness };
  };
  const grpcHealth = () => grpcHealthStatus(`127.0.0.1:${rpcPort}`, 'goods');

  /** Polls /readyz every 100 ms until `wanted` holds; returns the answer and how long it took. */
  async function waitForReadiness(what: string, withinMs: number, wanted: (answer: { code: number; body: Readiness }) => boolean) {
    const began = Date.now();
    let last: { code: number; body: Readiness } | undefined;
    while (Date.now() - began <= withinMs) {
      last = await readiness().catch(() => undefined);
      if (last && wanted(last)) return { ...last, afterMs: Date.now() - began };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what}: not within ${withinMs} ms; last /readyz: ${JSON.stringify(last)}`);
  }

  before(async () => {
    // A schema of its own, new each run, migrated by the process as a fresh install would.
    const admin = await openDatabase(infra.mysql, SCHEMA);
    await admin.query(`DROP DATABASE ${SCHEMA}`);
    await admin.close();
    mysql = await FaultyRelay.start(`${infra.mysql.host}:${infra.mysql.port}`);
    zookeeper = await ZooKeeperServer.start();
    [adminPort, rpcPort] = [await freePort(), await freePort()];
    child = spawn(process.execPath, [join(__dirname, '../dist/main.js')], {
      env: {
        ...process.env,
        // The local stack's certificates and defaults (a bare process would be production).
        NODE_ENV: 'development',
        GOODS_SCHEMA: SCHEMA,
        // A group of its own: it must not take the running system's order.cancel messages.
        GOODS_CONSUMER_GROUP: `shop-goods-test-${randomUUID().slice(0, 8)}`,
        GOODS_ADMIN_PORT: String(adminPort),
        GOODS_RPC_PORT: String(rpcPort),
        MYSQL_HOST: '127.0.0.1',
        MYSQL_PORT: String(mysql.port),
        ZK_CONNECT: zookeeper.connect,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const deadline = Date.now() + 60_000;
    while ((await readiness().catch(() => undefined))?.code !== 200) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the goods service did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await mysql?.stop();
    await zookeeper?.stop();
  });

  it('is ready with MySQL, RocketMQ and ZooKeeper up, and alive', async () => {
    const { code, body } = await readiness();
    assert.equal(code, 200);
    assert.equal(body.status, 'ready');
    assert.deepEqual(
      Object.fromEntries(Object.entries(body.checks).map(([name, check]) => [name, [check.status, check.critical]])),
      { mysql: ['up', true], rocketmq: ['up', true], zookeeper: ['up', false] },
      'each check with whether it decides readiness',
    );
    assert.equal(await grpcHealth(), 'SERVING');
    const live = await fetch(`http://127.0.0.1:${adminPort}/livez`);
    assert.equal(live.status, 200);
    assert.equal(((await live.json()) as { status: string }).status, 'ok');
  });

  it('MySQL lost: not ready within 5 s (gRPC NOT_SERVING); MySQL back: ready again by itself', async () => {
    mysql.cut();
    try {
      const down = await waitForReadiness('not ready after MySQL was lost', FLIP_WITHIN_MS, ({ code }) => code === 503);
      assert.equal(down.body.status, 'not ready');
      assert.equal(down.body.checks.mysql!.status, 'down');
      assert.ok(down.body.checks.mysql!.detail, 'with the reason');
      assert.deepEqual(
        down.body.problems?.map((problem) => problem.split(':')[0]),
        ['mysql'],
        'MySQL alone keeps it from being ready',
      );
      assert.equal(await grpcHealth(), 'NOT_SERVING', 'grpc.health.v1 follows readiness');
      const live = await fetch(`http://127.0.0.1:${adminPort}/livez`);
      assert.equal(live.status, 200, 'alive: restarting it would not bring MySQL back');
    } finally {
      mysql.restore();
    }
    const up = await waitForReadiness('ready again once MySQL was back', 30_000, ({ code }) => code === 200);
    assert.equal(up.body.checks.mysql!.status, 'up');
    assert.equal(await grpcHealth(), 'SERVING');
    assert.equal(child.exitCode, null, 'the same process: nothing restarted it');
  });

  it('ZooKeeper lost: reported, and still ready (the cached providers keep the calls going)', async () => {
    await zookeeper.stop();
    try {
      const reported = await waitForReadiness('ZooKeeper reported down', FLIP_WITHIN_MS, ({ body }) => body.checks.zookeeper?.status === 'down');
      assert.equal(reported.code, 200, 'readiness holds');
      assert.equal(reported.body.status, 'ready');
      assert.equal(reported.body.problems, undefined);
      // Held for a few more rounds, not only at the moment the loss was first seen.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const later = await readiness();
      assert.equal(later.code, 200);
      assert.equal(later.body.checks.zookeeper!.status, 'down');
      assert.equal(await grpcHealth(), 'SERVING');
    } finally {
      await zookeeper.start();
    }
    await waitForReadiness('ZooKeeper reported up again', 30_000, ({ body }) => body.checks.zookeeper?.status === 'up');
  });
});
