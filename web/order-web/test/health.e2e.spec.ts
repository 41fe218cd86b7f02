/**
 * Health of the running system (issue 18): every process answers /livez and /readyz on its admin
 * port (the services' found through ZooKeeper, `metrics.port` on their provider URL; the front
 * doors' at ORDER_WEB_ADMIN_PORT and PAY_WEB_ADMIN_PORT), and readiness follows RocketMQ: the
 * stack's proxy is killed, every service (each uses RocketMQ) reports not ready within 5 s and
 * grpc.health.v1 says NOT_SERVING, while the front doors, which call the services and never
 * RocketMQ, stay ready; the proxy started again (infra.sh up), every service is ready again by
 * itself, the same processes. Then a front door's SIGTERM: /readyz fails before the port closes.
 *
 * MySQL and ZooKeeper losses are proved on a goods process of its own
 * (services/goods/test/goods-health.spec.ts): the stack may not own MySQL, and the running
 * system's ZooKeeper is everyone's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadInfraConfig } from '@shop/common/config';
import { DUBBO_ROOT, parseProviderNode } from '@shop/common/rpc';
import { ZkSession } from '@shop/common/zk';
import { grpcHealthStatus } from '../../../common/test/support/grpc-health';
import { freePort } from '../../../common/test/support/zookeeper-server';
import { spawnFrontDoor } from './support/front-door-process';
import { pidOf, type ProcessName } from './support/processes';

const ROOT = path.resolve(__dirname, '../../..');
const SERVICES = ['goods', 'coupon', 'user', 'order', 'pay'] as const;
const FRONT_DOORS = { 'order-web': Number(process.env.ORDER_WEB_ADMIN_PORT ?? 7101), 'pay-web': Number(process.env.PAY_WEB_ADMIN_PORT ?? 7102) };
/** The promise to operators: readiness fails within 5 s of losing MySQL or RocketMQ. */
const FLIP_WITHIN_MS = 5_000;

interface Readiness {
  status: string;
  checks: Record<string, { status: string; critical: boolean; detail?: string }>;
  problems?: string[];
}

interface ProcessEndpoint {
  name: ProcessName;
  pid: number;
  adminPort: number;
  /** A service's gRPC address (host:port). */
  rpc?: string;
}

async function readiness(port: number): Promise<{ code: number; body: Readiness }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3_000) });
  return { code: response.status, body: (await response.json()) as Readiness };
}

/** The running system's processes and their admin ports: each service's from its provider URL in ZooKeeper. */
async function systemEndpoints(): Promise<ProcessEndpoint[]> {
  const endpoints: ProcessEndpoint[] = Object.entries(FRONT_DOORS).map(([name, adminPort]) => ({
    name: name as ProcessName,
    pid: pidOf(name as ProcessName),
    adminPort,
  }));
  const session = await ZkSession.open(loadInfraConfig().zookeeper);
  try {
    for (const name of SERVICES) {
      const pid = pidOf(name);
      let found: ProcessEndpoint | undefined;
      for (const service of await session.getChildren(DUBBO_ROOT)) {
        for (const node of await session.getChildren(`${DUBBO_ROOT}/${service}/providers`).catch(() => [] as string[])) {
          const url = parseProviderNode(node, service);
          if (url?.pid === pid && url.metricsPort) found = { name, pid, adminPort: url.metricsPort, rpc: `${url.host}:${url.port}` };
        }
      }
      assert.ok(found, `${name} (pid ${pid}) has a provider URL with metrics.port in ZooKeeper`);
      endpoints.push(found);
    }
  } finally {
    session.close();
  }
  return endpoints;
}

/** The stack's proxy, if the stack started it (var/run/proxy.pid naming a JVM of shop.infra=proxy). */
function stackProxyPid(): number | undefined {
  const file = path.join(ROOT, 'var/run/proxy.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  return cmdline.includes('shop.infra=proxy') ? pid : undefined;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** infra.sh up starts what is down (the proxy here) and waits for a RocketMQ round trip. */
const infraUp = () => promisify(execFile)('bash', [path.join(ROOT, 'deploy/local/infra.sh'), 'up'], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });

describe('health of the running system: /livez and /readyz on every admin port, readiness following RocketMQ', function () {
  this.timeout(420_000);
  let endpoints: ProcessEndpoint[];

  before(async () => {
    endpoints = await systemEndpoints();
  });

  after(async () => {
    // Whatever happened above, the proxy runs again for the specs that follow.
    if (!(await portOpen(loadInfraConfig().rocketmq.endpoints.split(':').map(Number)[1] ?? 8081))) await infraUp();
  });

  it('every process is alive and ready, with the checks it depends on', async () => {
    for (const { name, adminPort, rpc } of endpoints) {
      const live = await fetch(`http://127.0.0.1:${adminPort}/livez`);
      assert.equal(live.status, 200, `${name} /livez`);
      assert.equal(((await live.json()) as { status: string }).status, 'ok');
      const alias = await fetch(`http://127.0.0.1:${adminPort}/healthz`);
      assert.equal(alias.status, 200, `${name} /healthz, the older name of /livez`);
      const { code, body } = await readiness(adminPort);
      assert.equal(code, 200, `${name} /readyz: ${JSON.stringify(body)}`);
      const checks = Object.fromEntries(Object.entries(body.checks).map(([check, report]) => [check, [report.status, report.critical]]));
      const expected = rpc ? { mysql: ['up', true], rocketmq: ['up', true], zookeeper: ['up', false] } : { providers: ['up', true], zookeeper: ['up', false] };
      assert.deepEqual(checks, expected, `${name}'s checks`);
      if (rpc) assert.equal(await grpcHealthStatus(rpc, name), 'SERVING', `${name} grpc.health.v1`);
    }
  });

  it('the proxy killed: every service not ready within 5 s, gRPC NOT_SERVING, the front doors ready; the proxy back: ready again by themselves', async () => {
    const proxy = stackProxyPid();
    assert.ok(proxy, 'the stack started the RocketMQ proxy (var/run/proxy.pid): a proxy the stack does not own is never stopped by a test');
    const services = endpoints.filter((endpoint) => endpoint.rpc);
    process.kill(proxy, 'SIGKILL');
    const killedAt = Date.now();
    try {
      const flipped = new Map<string, number>();
      while (flipped.size < services.length && Date.now() - killedAt <= FLIP_WITHIN_MS) {
        for (const { name, adminPort } of services) {
          if (flipped.has(name)) continue;
          const answer = await readiness(adminPort).catch(() => undefined);
          if (answer?.code === 503 && answer.body.checks.rocketmq?.status === 'down') flipped.set(name, Date.now() - killedAt);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(
        services.filter(({ name }) => !flipped.has(name)).map(({ name }) => name),
        [],
        `every service not ready within ${FLIP_WITHIN_MS} ms of the kill (seen after: ${JSON.stringify(Object.fromEntries(flipped))})`,
      );
      for (const { name, adminPort, rpc } of services) {
        const { body } = await readiness(adminPort);
        assert.equal(body.status, 'not ready', name);
        assert.ok(
          body.problems?.some((problem) => problem.startsWith('rocketmq:')),
          `${name} names RocketMQ: ${JSON.stringify(body.problems)}`,
        );
        assert.equal(body.checks.mysql!.status, 'up', `${name}: MySQL is not what failed`);
        assert.equal(await grpcHealthStatus(rpc!, name), 'NOT_SERVING', `${name} grpc.health.v1 follows readiness`);
        assert.equal((await fetch(`http://127.0.0.1:${adminPort}/livez`)).status, 200, `${name} alive: a restart would not bring RocketMQ back`);
      }
      for (const { name, adminPort } of endpoints.filter((endpoint) => !endpoint.rpc)) {
        const { code, body } = await readiness(adminPort);
        assert.equal(code, 200, `${name} does not use RocketMQ and its services are registered: ready (${JSON.stringify(body)})`);
      }
    } finally {
      await infraUp();
    }
    const back = Date.now();
    for (const { name, adminPort, rpc } of services) {
      for (;;) {
        const answer = await readiness(adminPort).catch(() => undefined);
        if (answer?.code === 200) break;
        if (Date.now() - back > 60_000) assert.fail(`${name} not ready 60 s after the proxy was back: ${JSON.stringify(answer?.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(await grpcHealthStatus(rpc!, name), 'SERVING', name);
    }
    for (const endpoint of endpoints) assert.equal(pidOf(endpoint.name), endpoint.pid, `${endpoint.name}: the same process, nothing restarted it`);
  });

  it("a front door's SIGTERM: /readyz answers 503 while it still serves, then it closes", async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    const door = await spawnFrontDoor(
      'order-web',
      { ...process.env, NODE_ENV: 'development', ORDER_WEB_PORT: String(port), ORDER_WEB_ADMIN_PORT: String(adminPort), SHUTDOWN_DRAIN_MS: '2000' },
      { port },
    );
    const exited = new Promise<number | null>((resolve) => door.once('exit', (code) => resolve(code)));
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    door.kill('SIGTERM');
    // What each port answered, in order, repeats left out: public, then admin.
    const seen: [string[], string[]] = [[], []];
    for (;;) {
      const answers = await Promise.all(
        [port, adminPort].map((p) =>
          fetch(`http://127.0.0.1:${p}/readyz`).then(
            (response) => String(response.status),
            () => 'closed',
          ),
        ),
      );
      answers.forEach((answer, i) => seen[i]!.at(-1) !== answer && seen[i]!.push(answer));
      if (answers.every((answer) => answer === 'closed')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A first 200 may have been read before the process handled the signal; after it, 503 while
    // the port still serves, then closed, and never ready again.
    for (const [i, name] of ['public', 'admin'].entries()) {
      const afterSignal = seen[i]![0] === '200' ? seen[i]!.slice(1) : seen[i]!;
      assert.deepEqual(afterSignal, ['503', 'closed'], `${name} port: ${seen[i]!.join(', ')}`);
    }
    assert.equal(await exited, 0, 'and it exits cleanly');
  });
});
