import assert from 'node:assert/strict';
import { createLogger } from '../../src/log';
import { AdminServer, hotCounter, parsePrometheusText, sumOf } from '../../src/metrics';

describe('admin listener (node:http: /metrics, /healthz)', () => {
  let admin: AdminServer;
  const url = (path: string) => `http://127.0.0.1:${admin.port}${path}`;

  before(async () => {
    admin = await AdminServer.start({ host: '127.0.0.1', port: 0, logger: createLogger('admin-test', 'silent') });
  });

  after(() => admin.close());

  it('serves the default registry with Node process metrics and the counters', async () => {
    hotCounter('test_admin_total', 'a test counter', []).slot().inc();
    const response = await fetch(url('/metrics'));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const samples = parsePrometheusText(await response.text());
    assert.ok(sumOf(samples, 'process_cpu_user_seconds_total') > 0);
    assert.ok(sumOf(samples, 'process_resident_memory_bytes') > 0);
    assert.equal(sumOf(samples, 'test_admin_total'), 1);
  });

  it('answers /healthz, and nothing else', async () => {
    const health = await fetch(url('/healthz'));
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal((await fetch(url('/nope'))).status, 404);
    assert.equal((await fetch(url('/metrics'), { method: 'POST' })).status, 405);
  });

  it('frees its port when closed, keep-alive connections included', async () => {
    const other = await AdminServer.start({ host: '127.0.0.1', port: 0, logger: createLogger('admin-test', 'silent') });
    await fetch(`http://127.0.0.1:${other.port}/healthz`, { keepalive: true });
    await other.close();
    await assert.rejects(fetch(`http://127.0.0.1:${other.port}/healthz`));
  });
});
