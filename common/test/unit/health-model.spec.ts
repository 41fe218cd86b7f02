/**
 * The health model with fake checks, on fast rounds (every 20 ms, 100 ms timeout): readiness is
 * the verdict of the critical checks, re-evaluated by itself each round; a reported-only check
 * never fails it; a probe that hangs counts as down and is not started twice; draining fails it
 * for good. Then the same verdicts on the admin listener and on a front door's app.
 */
import assert from 'node:assert/strict';
import { createHttpApp } from '../../src/http';
import { Health, type HealthCheck } from '../../src/health';
import { createLogger } from '../../src/log';
import { AdminServer } from '../../src/metrics';

const logger = createLogger('health-test', 'silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A check whose answer the test sets: up, down (rejects) or hanging (never settles until released). */
class FakeCheck implements HealthCheck {
  mode: 'up' | 'down' | 'hang' = 'up';
  probes = 0;
  closed = false;
  private release: (() => void) | undefined;
  constructor(
    readonly name: string,
    readonly critical: boolean,
  ) {}

  probe(): Promise<void> {
    this.probes++;
    if (this.mode === 'down') return Promise.reject(new Error(`${this.name} refused the connection`));
    if (this.mode === 'hang') return new Promise((resolve) => (this.release = resolve));
    return Promise.resolve();
  }

  /** Lets a hanging probe finish. */
  unhang(): void {
    this.mode = 'up';
    this.release?.();
  }

  close(): void {
    this.closed = true;
  }
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('health model (readiness from periodic checks, liveness)', () => {
  let health: Health;
  let mysql: FakeCheck;
  let zookeeper: FakeCheck;
  let changes: boolean[];

  beforeEach(() => {
    mysql = new FakeCheck('mysql', true);
    zookeeper = new FakeCheck('zookeeper', false);
    health = new Health({ logger, intervalMs: 20, timeoutMs: 100 }).add(mysql).add(zookeeper);
    changes = [];
    health.onChange((ready) => changes.push(ready));
  });

  afterEach(() => health.stop());

  it('is not ready before its first round, and knows its verdict once started', async () => {
    assert.deepEqual(health.readiness(), {
      status: 'not ready',
      checks: {
        mysql: { status: 'pending', critical: true, since: health.readiness().checks.mysql!.since },
        zookeeper: { status: 'pending', critical: false, since: health.readiness().checks.zookeeper!.since },
      },
      problems: ['starting'],
    });
    await health.start();
    assert.equal(health.ready, true);
    const report = health.readiness();
    assert.equal(report.status, 'ready');
    assert.equal(report.problems, undefined);
    assert.equal(report.checks.mysql!.status, 'up');
    assert.equal(report.checks.zookeeper!.status, 'up');
    assert.deepEqual(changes, [true]);
  });

  it('a critical check that fails makes it not ready, with the reason, and ready again when it answers', async () => {
    await health.start();
    mysql.mode = 'down';
    await until('not ready', () => !health.ready);
    const down = health.readiness();
    assert.equal(down.status, 'not ready');
    assert.deepEqual(down.problems, ['mysql: mysql refused the connection']);
    assert.equal(down.checks.mysql!.status, 'down');
    assert.equal(down.checks.mysql!.detail, 'mysql refused the connection');
    mysql.mode = 'up';
    await until('ready again', () => health.ready);
    assert.equal(health.readiness().checks.mysql!.detail, undefined);
    assert.deepEqual(changes, [true, false, true]);
  });

  it('a reported-only check that fails is reported, and readiness holds', async () => {
    await health.start();
    zookeeper.mode = 'down';
    await until('zookeeper reported down', () => health.readiness().checks.zookeeper!.status === 'down');
    const report = health.readiness();
    assert.equal(report.status, 'ready');
    assert.equal(report.checks.zookeeper!.detail, 'zookeeper refused the connection');
    assert.deepEqual(changes, [true]);
  });

  it('a probe that never answers counts as down after the timeout, and no second one is started beside it', async () => {
    await health.start();
    mysql.mode = 'hang';
    await until('not ready', () => !health.ready);
    assert.match(health.readiness().checks.mysql!.detail!, /no answer within 100 ms/);
    const probes = mysql.probes;
    await sleep(300);
    assert.equal(mysql.probes, probes, 'the hanging probe is waited for, not repeated');
    mysql.unhang();
    await until('ready again', () => health.ready);
    await until('probed again once the hanging probe settled', () => mysql.probes > probes);
  });

  it('draining makes it not ready for good, whatever the checks say', async () => {
    await health.start();
    health.beginDrain();
    assert.equal(health.ready, false);
    assert.match(health.readiness().problems![0]!, /^shutting down since /);
    await sleep(100);
    assert.equal(health.ready, false);
    assert.deepEqual(changes, [true, false]);
  });

  it('is alive while its timer turns; stop releases what the checks hold', async () => {
    await health.start();
    await sleep(50);
    const liveness = health.liveness();
    assert.equal(liveness.status, 'ok');
    assert.ok(liveness.eventLoopDelayMs >= 0);
    health.stop();
    assert.equal(mysql.closed, true);
    assert.equal(zookeeper.closed, true);
  });
});

describe('health on the admin listener and the front doors', () => {
  it('the admin listener answers /livez, /healthz and /readyz from the model (200, then 503 with the checks)', async () => {
    const mysql = new FakeCheck('mysql', true);
    const health = new Health({ logger, intervalMs: 20, timeoutMs: 100 }).add(mysql);
    const admin = await AdminServer.start({ host: '127.0.0.1', port: 0, logger, health });
    const get = (path: string) => fetch(`http://127.0.0.1:${admin.port}${path}`);
    try {
      assert.equal((await get('/readyz')).status, 503, 'not ready before the first round');
      await health.start();
      const ready = await get('/readyz');
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { checks: Record<string, { status: string }> }).checks.mysql!.status, 'up');
      for (const path of ['/livez', '/healthz']) {
        const live = await get(path);
        assert.equal(live.status, 200, path);
        assert.equal(((await live.json()) as { status: string }).status, 'ok', path);
      }
      mysql.mode = 'down';
      await until('not ready', () => !health.ready);
      const notReady = await get('/readyz');
      assert.equal(notReady.status, 503);
      const body = (await notReady.json()) as { status: string; problems: string[] };
      assert.equal(body.status, 'not ready');
      assert.deepEqual(body.problems, ['mysql: mysql refused the connection']);
      assert.equal((await get('/livez')).status, 200, 'a lost database is no reason to restart the process');
    } finally {
      health.stop();
      await admin.close();
    }
  });

  it("a front door's /readyz follows the model, its providers among the checks, and fails once it drains", async () => {
    let missing: string[] = [];
    const health = new Health({ logger, intervalMs: 20, timeoutMs: 100 });
    const app = createHttpApp({ logger, readiness: () => missing, health });
    try {
      await health.start();
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json().checks.providers.status, 'up');
      missing = ['no provider of the goods service'];
      await until('not ready', () => !health.ready);
      const notReady = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(notReady.statusCode, 503);
      assert.deepEqual(notReady.json().problems, ['providers: no provider of the goods service']);
      missing = [];
      await until('ready again', () => health.ready);
      health.beginDrain();
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
      assert.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200, 'alive while it drains');
    } finally {
      health.stop();
      await app.close();
    }
  });
});
