/**
 * The OpenAPI documents of both front doors: every API route the app has is in its document,
 * with the request schemas that validate it, its answer and the error shape; the running
 * front doors serve the document and its UI at /docs.
 */
import assert from 'node:assert/strict';
import { DEVELOPMENT_JWT_SECRET, TokenService } from '@shop/common/http';
import { createLogger } from '@shop/common/log';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { buildPayWeb, type PayClient } from '../../pay-web/src/app';
import { buildOrderWeb } from '../src/app';
import type { Services } from '../src/clients';
import { BASE_URL } from './support/shop-api';

const PAY_WEB_URL = `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`;

interface Operation {
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  security?: unknown[];
  summary?: string;
}

/**
 * Every "METHOD /path" under /api the router holds, read from fastify's route tree: routes
 * registered anywhere, also outside addRoutes (which the document would miss).
 */
function routerApiRoutes(app: FastifyInstance): string[] {
  const found: string[] = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    parents.length = depth;
    const path = (parents[depth - 1] ?? '') + match[2]!;
    parents[depth] = path;
    if (!path.startsWith('/api/')) continue;
    for (const method of match[3]!.split(', ')) if (method !== 'HEAD') found.push(`${method} ${path}`);
  }
  return found.sort();
}

/** Builds the app with no service behind it (only its routes are looked at) and collects them. */
async function routesAndDocument(
  build: () => FastifyInstance,
): Promise<{ routes: RouteOptions[]; router: string[]; document: { paths: Record<string, Record<string, Operation>> } }> {
  const app = build();
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  await app.ready();
  const document = (app as unknown as { swagger(): { paths: Record<string, Record<string, Operation>> } }).swagger();
  const router = routerApiRoutes(app);
  await app.close();
  return { routes: routes.filter((route) => route.url.startsWith('/api/') && route.method !== 'HEAD'), router, document };
}

/** "METHOD /path" of every operation in the document. */
const documentedRoutes = (document: { paths: Record<string, Record<string, Operation>> }) =>
  Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`))
    .sort();

function checkDocumented(routes: RouteOptions[], document: { paths: Record<string, Record<string, Operation>> }): number {
  let checked = 0;
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    for (const method of [route.method].flat()) {
      const operation = document.paths[path]?.[method.toLowerCase()];
      assert.ok(operation, `${method} ${route.url} is not in the document`);
      assert.ok(operation.summary, `${method} ${route.url} has no summary`);
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      if (schema.body) assert.ok(operation.requestBody, `${method} ${route.url}: request body schema missing`);
      for (const where of ['params', 'querystring'] as const) {
        const names = Object.keys((schema[where] as { properties?: object } | undefined)?.properties ?? {});
        for (const name of names)
          assert.ok(
            operation.parameters?.some((p) => p.name === name),
            `${method} ${route.url}: ${where} ${name} missing`,
          );
      }
      assert.ok(operation.responses['4XX'] ?? operation.responses['4xx'], `${method} ${route.url}: no error answer documented`);
      const answers = Object.keys(operation.responses).filter((code) => code.startsWith('2'));
      if (route.url !== '/api/v1/notify/alipay') assert.ok(answers.length > 0, `${method} ${route.url}: no success answer documented`);
      const guarded = [route.preHandler ?? []].flat().some((handler) => (handler as { requiresUser?: boolean }).requiresUser);
      if (guarded) assert.ok(operation.security, `${method} ${route.url}: guarded but no security in the document`);
      checked++;
    }
  }
  return checked;
}

describe('OpenAPI documents', () => {
  const logger = createLogger('openapi-test', 'silent');
  const tokens = new TokenService(DEVELOPMENT_JWT_SECRET, 3600);

  it('order-web documents every API route with its schemas', async () => {
    const { routes, router, document } = await routesAndDocument(() =>
      buildOrderWeb({ services: {} as Services, tokens, logger, faultInjection: false, corsOrigins: [], payWebUrl: '' }),
    );
    assert.ok(router.length >= 20, `only ${router.length} routes seen`);
    assert.deepEqual(documentedRoutes(document), router);
    assert.equal(checkDocumented(routes, document), router.length);
    const placeOrder = document.paths['/api/v1/orders']!.post!;
    const body = placeOrder.requestBody!.content['application/json']!.schema as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.properties).sort(), ['address', 'addressId', 'balance', 'consignee', 'couponId', 'fromCart', 'items']);
  });

  it('pay-web documents every API route with its schemas', async () => {
    const { routes, router, document } = await routesAndDocument(() =>
      buildPayWeb({ payments: {} as PayClient, tokens, logger, corsOrigins: [], faultInjection: false }),
    );
    assert.ok(router.length >= 5, `only ${router.length} routes seen`);
    assert.deepEqual(documentedRoutes(document), router);
    assert.equal(checkDocumented(routes, document), router.length);
  });

  it('the running front doors serve the document and the UI at /docs', async () => {
    for (const base of [BASE_URL, PAY_WEB_URL]) {
      const ui = await fetch(`${base}/docs`);
      assert.equal(ui.status, 200, base);
      assert.match(await ui.text(), /swagger/i);
      const json = (await (await fetch(`${base}/docs/json`)).json()) as { openapi: string; paths: object };
      assert.match(json.openapi, /^3\./);
      assert.ok(Object.keys(json.paths).length >= 5);
    }
  });

  it('pay-web lets the storefront call it from its origin (CORS), and no unknown origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${PAY_WEB_URL}/api/v1/payments`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const allowed = await preflight(BASE_URL);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), BASE_URL);
    const refused = await preflight('http://evil.example');
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });
});
