/**
 * Both front doors started as production runs them (NODE_ENV=production, a JWT secret of their
 * own, the services' certificates), beside the running system, each with an admin listener on
 * a port of its own: the public port answers 404 NOT_FOUND for /metrics and the API reference
 * (its UI, its OpenAPI document), however the path is written; the admin listener serves them,
 * and nothing of the API. Health stays on the public port (the load balancer's probe).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import { parsePrometheusText, sumOf } from '@shop/common/metrics';
import { ZkSession } from '@shop/common/zk';
import { infra } from '../../../common/test/support/infra';
import { freePort } from '../../../common/test/support/zookeeper-server';
import { portVariable, spawnFrontDoor, type FrontDoorName } from './support/front-door-process';

const VAR = process.env.SHOP_VAR_DIR ?? path.resolve(__dirname, '../../../var');
/** What the public port keeps for the admin listener in production. */
const ADMIN_ONLY = [
  '/metrics',
  '/docs',
  '/docs/',
  '/docs/json',
  '/docs/yaml',
  '/docs/static/index.html',
  '/docs/static/swagger-ui-bundle.js',
  '/%6detrics',
  '/docs%2Fjson',
];

interface Door {
  name: FrontDoorName;
  port: number;
  adminPort: number;
  child?: ChildProcess;
}

/**
 * A ZooKeeper digest of the spec's own (production refuses the development one), and so a tree
 * of its own: the front doors register themselves as consumers, and the stack's /dubbo lets only
 * the development digest write. In this chroot they find no provider, which this spec does not need.
 */
const SPEC_DIGEST = 'admin-port-spec:a-digest-of-this-spec-only';
const ZK_ROOT = `/admin-port-spec-${process.pid}-${Date.now()}`;

/** Removes a node and everything under it. */
async function removeTree(zk: ZkSession, path: string): Promise<void> {
  for (const child of await zk.getChildren(path)) await removeTree(zk, `${path}/${child}`);
  await zk.remove(path);
}

/** The environment of a production front door: the stack's addresses, nothing of development. */
function productionEnvironment(door: Door): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    JWT_SECRET: 'a-production-secret-of-this-spec-0123456789abcdef',
    // Production takes the certificates' place explicitly (the stack's, made by infra.sh).
    RPC_TLS_DIR: process.env.RPC_TLS_DIR ?? path.join(VAR, 'pki'),
    ZK_CONNECT: `${infra.zookeeper.connect}${ZK_ROOT}`,
    ZK_DIGEST: SPEC_DIGEST,
    ADMIN_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    [portVariable(door.name)]: String(door.port),
    [portVariable(door.name, true)]: String(door.adminPort),
  };
  for (const name of ['FAULT_INJECTION', 'RPC_TLS', 'ZK_DIGEST_PREVIOUS', 'PAY_WEB_URL', 'CORS_ORIGINS']) delete env[name];
  return env;
}

describe('production front doors: /metrics and /docs on the admin port only', function () {
  this.timeout(90_000);
  const doors: Door[] = [];
  let zk: ZkSession | undefined;

  before(async () => {
    zk = await ZkSession.open({ connect: infra.zookeeper.connect, digest: SPEC_DIGEST });
    await zk.mkdirp(ZK_ROOT);
    for (const name of ['order-web', 'pay-web'] as const) {
      const door: Door = { name, port: await freePort(), adminPort: await freePort() };
      doors.push(door);
      // Ready for this spec when it answers /healthz: whether it reaches the services is not the point here.
      door.child = await spawnFrontDoor(name, productionEnvironment(door), { port: door.port, readyPath: '/healthz' });
    }
  });

  after(async () => {
    const exits = doors.flatMap(({ child }) => (child && child.exitCode === null && child.signalCode === null ? [once(child, 'exit')] : []));
    for (const door of doors) door.child?.kill('SIGTERM');
    await Promise.all(exits);
    if (zk) await removeTree(zk, ZK_ROOT);
    zk?.close();
  });

  const on = (port: number, url: string) => fetch(`http://127.0.0.1:${port}${url}`, { redirect: 'manual' });

  it('the public port answers 404 NOT_FOUND for the metrics and the reference; health answers', async () => {
    for (const door of doors) {
      for (const url of ADMIN_ONLY) {
        const answer = await on(door.port, url);
        assert.equal(answer.status, 404, `${door.name} ${url}`);
        const body = (await answer.json()) as { code: string };
        assert.equal(body.code, 'NOT_FOUND', `${door.name} ${url}`);
      }
      const health = await on(door.port, '/healthz');
      assert.equal(health.status, 200, `${door.name} /healthz`);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
    }
  });

  it('the admin port serves the metrics, the reference and its OpenAPI document', async () => {
    for (const door of doors) {
      const metrics = await on(door.adminPort, '/metrics');
      assert.equal(metrics.status, 200, door.name);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
      assert.ok(sumOf(parsePrometheusText(await metrics.text()), 'process_resident_memory_bytes') > 0, `${door.name}: its process metrics`);
      const document = (await (await on(door.adminPort, '/docs/json')).json()) as { openapi: string; paths: Record<string, unknown> };
      assert.match(document.openapi, /^3\./);
      assert.ok(
        Object.keys(document.paths).some((route) => route.startsWith('/api/v1/')),
        `${door.name}: the API is documented`,
      );
      const ui = await on(door.adminPort, '/docs/');
      assert.equal(ui.status, 200);
      assert.match(await ui.text(), /swagger-ui-bundle\.js/);
      assert.equal((await on(door.adminPort, '/docs/static/swagger-ui-bundle.js')).status, 200);
      assert.equal((await on(door.adminPort, '/healthz')).status, 200);
    }
  });

  it('the admin port serves nothing of the API or the pages', async () => {
    const orderWeb = doors.find((door) => door.name === 'order-web')!;
    for (const url of ['/api/v1/goods', '/', '/admin/', '/storefront.json']) {
      const answer = await on(orderWeb.adminPort, url);
      assert.equal(answer.status, 404, url);
    }
    const payWeb = doors.find((door) => door.name === 'pay-web')!;
    assert.equal((await on(payWeb.adminPort, '/api/v1/payments')).status, 404);
  });

  it("the storefront hides its footer's links to the reference, which is not on its port", async () => {
    const orderWeb = doors.find((door) => door.name === 'order-web')!;
    const settings = (await (await on(orderWeb.port, '/storefront.json')).json()) as { apiDocs: boolean };
    assert.equal(settings.apiDocs, false);
  });
});
