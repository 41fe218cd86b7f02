/**
 * The front doors' frame, in one process with nothing running: the security headers on every
 * kind of answer, and /metrics and /docs kept to the admin listener unless the public port is
 * asked to serve them too (outside production). The admin listener is a real socket; the
 * public port is fastify's inject.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { addRoutes, contentSecurityPolicy, createHttpApp, startAdminListener } from '../../src/http';
import { createLogger } from '../../src/log';
import type { AdminServer } from '../../src/metrics';

const logger = createLogger('front-door-admin-test', 'silent');

/** A front door with an API route and the reference, as order-web and pay-web build theirs. */
function frontDoor(options: { publicAdminRoutes?: boolean; connectSources?: () => string[] } = {}): FastifyInstance {
  const app = createHttpApp({ logger, docs: { title: 'test door', description: 'a test', version: '1' }, ...options });
  addRoutes(app, (api) => {
    api.get('/api/v1/things', { schema: { summary: 'things' } }, async () => ({ items: [] }));
    api.post(
      '/api/v1/things',
      { schema: { summary: 'a thing', body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
      async () => ({ ok: true }),
    );
  });
  return app;
}

/** The paths the public port keeps for the admin listener in production. */
const ADMIN_ONLY = ['/metrics', '/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/static/index.html', '/docs/static/swagger-ui.css', '/%6detrics'];

describe('front doors: /metrics and /docs on the admin listener', () => {
  let app: FastifyInstance;
  let admin: AdminServer;
  const onAdmin = (path: string) => fetch(`http://127.0.0.1:${admin.port}${path}`, { redirect: 'manual' });

  before(async () => {
    app = frontDoor();
    admin = await startAdminListener(app, { host: '127.0.0.1', port: 0, logger });
  });

  after(async () => {
    await admin.close();
    await app.close();
  });

  it('the public port answers 404 NOT_FOUND for /metrics and the reference, however the path is written; health and the API answer', async () => {
    for (const url of ADMIN_ONLY) {
      const answer = await app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 404, url);
      assert.equal(answer.json().code, 'NOT_FOUND', url);
      assert.doesNotMatch(answer.body, /"openapi"|swagger-ui-bundle|# HELP/, url);
    }
    assert.equal((await app.inject({ method: 'HEAD', url: '/metrics' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/things' })).json(), { items: [] });
  });

  it('the admin listener serves the metrics (Node process metrics included) and the reference of the whole API', async () => {
    const metrics = await onAdmin('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^process_resident_memory_bytes /m);
    const document = (await (await onAdmin('/docs/json')).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(document.openapi, /^3\./);
    assert.ok(document.paths['/api/v1/things'], 'the API routes are in the document');
    const ui = await onAdmin('/docs/');
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger-ui-bundle\.js/);
    assert.equal((await onAdmin('/docs/static/swagger-ui.css')).status, 200);
    assert.equal((await onAdmin('/healthz')).status, 200);
    assert.equal((await onAdmin('/readyz')).status, 200);
  });

  it('the admin listener answers nothing else: no API, no page', async () => {
    for (const path of ['/api/v1/things', '/', '/nope']) {
      const answer = await onAdmin(path);
      assert.equal(answer.status, 404, path);
      assert.equal(((await answer.json()) as { code: string }).code, 'NOT_FOUND', path);
    }
  });

  it('outside production the public port serves them as well', async () => {
    const open = frontDoor({ publicAdminRoutes: true });
    try {
      assert.equal((await open.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
      assert.match((await open.inject({ method: 'GET', url: '/docs/json' })).json().openapi, /^3\./);
      assert.equal((await open.inject({ method: 'GET', url: '/docs' })).statusCode, 200);
    } finally {
      await open.close();
    }
  });
});

describe('front doors: security headers', () => {
  it('every answer carries them: an API answer, a refusal, a 404, the reference', async () => {
    const app = frontDoor({ publicAdminRoutes: true });
    try {
      const answers = {
        api: await app.inject({ method: 'GET', url: '/api/v1/things' }),
        refusal: await app.inject({ method: 'POST', url: '/api/v1/things', payload: {} }),
        notFound: await app.inject({ method: 'GET', url: '/nope' }),
        reference: await app.inject({ method: 'GET', url: '/docs/' }),
      };
      assert.deepEqual(
        Object.values(answers).map((answer) => answer.statusCode),
        [200, 400, 404, 200],
      );
      for (const [url, { headers }] of Object.entries(answers)) {
        assert.equal(headers['content-security-policy'], contentSecurityPolicy(), url);
        assert.equal(headers['x-content-type-options'], 'nosniff', url);
        assert.equal(headers['referrer-policy'], 'no-referrer', url);
        assert.equal(headers['x-frame-options'], 'DENY', url);
      }
    } finally {
      await app.close();
    }
  });

  it('the policy allows no inline script or style, no plugin, no framing; images also from data: and blob:', () => {
    const directives = new Map(
      contentSecurityPolicy()
        .split('; ')
        .map((directive) => [directive.split(' ')[0]!, directive.split(' ').slice(1).join(' ')]),
    );
    assert.equal(directives.get('script-src'), "'self'");
    assert.equal(directives.get('style-src'), "'self'");
    assert.equal(directives.get('default-src'), "'self'");
    assert.equal(directives.get('object-src'), "'none'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.equal(directives.get('base-uri'), "'self'");
    assert.equal(directives.get('img-src'), "'self' data: blob:");
    assert.doesNotMatch(contentSecurityPolicy(), /unsafe/);
  });

  it('connect-src names the origins the pages call, per request', async () => {
    const app = frontDoor({ connectSources: () => ['https://pay.shop.example'] });
    try {
      const { headers } = await app.inject({ method: 'GET', url: '/api/v1/things' });
      assert.match(String(headers['content-security-policy']), /(^|; )connect-src 'self' https:\/\/pay\.shop\.example(;|$)/);
    } finally {
      await app.close();
    }
  });
});
