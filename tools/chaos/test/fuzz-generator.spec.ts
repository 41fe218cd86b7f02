/**
 * The fuzzers' generator, without the system: requests drawn as valid must pass the front doors'
 * own validation (createHttpApp's fastify and ajv settings, with the schemas as the OpenAPI
 * document publishes them), hostile ones must differ where they say, tokens must verify (or not)
 * like order-web verifies them, and notify forms must be signed as the gateway signs.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { addRoutes, createHttpApp, TokenService } from '@shop/common/http';
import { createLogger } from '@shop/common/log';
import type { FastifyInstance } from 'fastify';
import { encodeBody } from '../src/fuzz/http';
import { fieldSlots, hostileField } from '../src/fuzz/hostile';
import { deeplyNested, Entries, RawJson, toJsonText } from '../src/fuzz/json-text';
import { expectedReply, formArbitrary, sdkSignatureValid, type NotifyKeys, type Trade } from '../src/fuzz/notify-forms';
import { routesOf, type JsonSchema, type OpenApiDocument, type Route } from '../src/fuzz/openapi';
import { PoolRef, Pools } from '../src/fuzz/pools';
import { drawn, hintsFor, planArbitrary, prepare } from '../src/fuzz/request-plan';
import { seedFor } from '../src/fuzz/runner';
import { arbitraryOf } from '../src/fuzz/schema-arbitrary';
import { authorization, MINTED_SESSION_ID, mintToken, type Credentials } from '../src/fuzz/tokens';

const id = { type: 'string', pattern: '^[1-9][0-9]{0,19}$' };
const money = { type: 'string', pattern: '^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$' };
const page = { type: 'string', pattern: '^[1-9][0-9]{0,4}$' };
const json = (schema: JsonSchema) => ({ required: true, content: { 'application/json': { schema } } });
const ok = { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } };
const bearer = [{ bearer: [] }];

/** Routes as the front doors' /docs/json publishes them (shapes copied from order-web and pay-web). */
const DOCUMENT: OpenApiDocument = {
  paths: {
    '/healthz': { get: { responses: ok } },
    '/docs/json': { get: { responses: ok } },
    '/api/v1/goods': {
      get: {
        parameters: [
          { name: 'page', in: 'query', schema: page },
          { name: 'size', in: 'query', schema: page },
          { name: 'q', in: 'query', schema: { type: 'string', maxLength: 64 } },
        ],
        responses: ok,
      },
    },
    '/api/v1/orders': {
      post: {
        security: bearer,
        parameters: [{ name: 'idempotency-key', in: 'header', schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,64}$' } }],
        requestBody: json({
          type: 'object',
          properties: {
            items: {
              type: 'array',
              minItems: 1,
              maxItems: 50,
              items: {
                type: 'object',
                properties: { goodsId: id, quantity: { type: 'integer', minimum: 1, maximum: 999 } },
                required: ['goodsId', 'quantity'],
                additionalProperties: false,
              },
            },
            fromCart: { type: 'boolean', enum: [true] },
            couponId: id,
            balance: money,
            address: { type: 'string', minLength: 1, maxLength: 200 },
            consignee: { type: 'string', minLength: 1, maxLength: 50 },
          },
          required: ['address', 'consignee'],
          additionalProperties: false,
          oneOf: [{ required: ['items'] }, { required: ['fromCart'] }],
        }),
        responses: ok,
      },
    },
    '/api/v1/orders/{orderId}/cancel': {
      post: {
        security: bearer,
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: id }],
        requestBody: json({
          type: 'object',
          properties: { reason: { type: 'string', maxLength: 200 } },
          required: [],
          additionalProperties: false,
          nullable: true,
        }),
        responses: ok,
      },
    },
    '/api/v1/cart/items/{goodsId}': {
      put: {
        security: bearer,
        parameters: [{ name: 'goodsId', in: 'path', required: true, schema: id }],
        requestBody: json({
          type: 'object',
          properties: { quantity: { type: 'integer', minimum: 1, maximum: 999 }, checked: { type: 'boolean' } },
          required: ['quantity'],
          additionalProperties: false,
        }),
        responses: ok,
      },
    },
    '/api/v1/admin/goods': {
      post: {
        tags: ['admin'],
        security: bearer,
        requestBody: json({
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, price: money, stock: { type: 'integer', minimum: 0, maximum: 10_000_000 } },
          required: ['name', 'price', 'stock'],
          additionalProperties: false,
        }),
        responses: ok,
      },
    },
    '/api/v1/admin/reconciliation': {
      get: {
        tags: ['admin'],
        security: bearer,
        parameters: [{ name: 'date', in: 'query', required: true, schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } }],
        responses: ok,
      },
    },
    '/api/v1/notify/alipay': { post: { responses: { '4XX': { description: 'error' } } } },
  },
};

const routes = routesOf('order-web', DOCUMENT);
const route = (method: string, path: string) => routes.find((candidate) => candidate.method === method && candidate.path === path)!;

/** A fastify app with the project's frame (createHttpApp) and one route per documented one, answering 200 from the handler. */
async function frontDoor(): Promise<FastifyInstance> {
  const app = createHttpApp({ logger: createLogger('fuzz-generator-test', 'silent') });
  addRoutes(app, (api) => {
    for (const documented of routes) {
      const object = (names: Route['params']) => ({
        type: 'object',
        properties: Object.fromEntries(names.map((param) => [param.name, param.schema])),
        required: names.filter((param) => param.required).map((param) => param.name),
      });
      const params = documented.params.filter((param) => param.in === 'path');
      const query = documented.params.filter((param) => param.in === 'query');
      const headers = documented.params.filter((param) => param.in === 'header');
      api.route({
        method: documented.method,
        url: documented.path.replace(/\{(\w+)\}/g, ':$1'),
        schema: {
          ...(params.length && { params: object(params) }),
          ...(query.length && { querystring: { ...object(query), additionalProperties: false } }),
          ...(headers.length && { headers: object(headers) }),
          ...(documented.body?.schema && { body: documented.body.schema }),
        },
        handler: async () => ({ handled: true }),
      });
    }
  });
  await app.ready();
  return app;
}

const identity = (userId: string, role: 'CUSTOMER' | 'ADMIN' = 'CUSTOMER') => ({ userId, username: `fz${userId}`, role });
const credentials: Credentials = {
  secret: 'a-secret-for-the-generator-tests-0123456789',
  customers: [{ identity: identity('11'), token: 't11', password: 'p' }],
  admin: { identity: identity('22', 'ADMIN'), token: 't22' },
  realAdmin: { identity: identity('1', 'ADMIN'), token: 't1' },
};

function pools(): Pools {
  const result = new Pools();
  result.set('goods', { id: '700', owner: '', state: '' });
  result.set('order', { id: '801', owner: '11', state: 'PAID' });
  result.set('order', { id: '802', owner: '11', state: 'SHIPPED' });
  result.set('coupon', { id: '901', owner: '11', state: 'UNUSED' });
  return result;
}

const context = { runTag: 'fzT', usernames: ['fzuser'], password: 'password-123' };

describe('fuzz generator', () => {
  it('reads the routes of an OpenAPI document: /api only, with their parameters, body, security and role', () => {
    assert.deepEqual(
      routes.map((r) => `${r.method} ${r.path}`),
      [
        'GET /api/v1/goods',
        'POST /api/v1/orders',
        'POST /api/v1/orders/{orderId}/cancel',
        'PUT /api/v1/cart/items/{goodsId}',
        'POST /api/v1/admin/goods',
        'GET /api/v1/admin/reconciliation',
        'POST /api/v1/notify/alipay',
      ],
    );
    const cancel = route('POST', '/api/v1/orders/{orderId}/cancel');
    assert.deepEqual(
      cancel.params.map((param) => `${param.in}:${param.name}:${param.required}`),
      ['path:orderId:true'],
    );
    assert.equal(cancel.secured, true);
    assert.equal(cancel.admin, false);
    assert.equal(route('POST', '/api/v1/admin/goods').admin, true);
    assert.equal(route('GET', '/api/v1/goods').secured, false);
    assert.equal(route('POST', '/api/v1/notify/alipay').textAnswer, true);
    assert.equal(route('GET', '/api/v1/goods').textAnswer, false);
  });

  it('draws values its schemas accept: patterns, bounds, enums, required and optional properties, oneOf branches', () => {
    const placeOrder = route('POST', '/api/v1/orders').body!.schema!;
    for (const value of fc.sample(arbitraryOf(placeOrder), { seed: 7, numRuns: 300 })) {
      const body = value as Record<string, unknown>;
      assert.ok(typeof body.address === 'string' && typeof body.consignee === 'string', JSON.stringify(body));
      assert.notEqual('items' in body, 'fromCart' in body, `exactly one of items and fromCart: ${JSON.stringify(body)}`);
      if (body.balance !== undefined) assert.match(String(body.balance), /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$/);
      for (const item of (body.items as { goodsId: string; quantity: number }[] | undefined) ?? []) {
        assert.match(item.goodsId, /^[1-9][0-9]{0,19}$/);
        assert.ok(Number.isInteger(item.quantity) && item.quantity >= 1 && item.quantity <= 999);
      }
    }
  });

  it("mixes in the hint's values (real ids) by property name", () => {
    const hint = (name: string) => (name === 'goodsId' ? fc.constant(new PoolRef('goods', 0, false)) : undefined);
    const values = fc.sample(arbitraryOf(id, { hint, name: 'goodsId' }), { seed: 3, numRuns: 200 });
    const refs = values.filter((value) => value instanceof PoolRef).length;
    assert.ok(refs > 100 && refs < 200, `${refs} of 200 values are pool refs`);
  });

  it("prepares valid requests that the front door's own validation lets through to the handler", async () => {
    const app = await frontDoor();
    try {
      for (const documented of routes) {
        const arbitrary = planArbitrary(documented, hintsFor(documented, context)).filter((plan) => plan.mode === 'valid');
        for (const [index, plan] of fc.sample(arbitrary, { seed: 11, numRuns: 60 }).entries()) {
          const { wire } = prepare(plan, pools(), credentials);
          const { bytes, contentType } = encodeBody(wire.body);
          const headers = { ...wire.headers, ...(contentType !== null && { 'content-type': contentType }) };
          const reply = await app.inject({ method: documented.method, url: wire.path, headers, ...(bytes && { payload: bytes }) });
          assert.equal(
            reply.statusCode,
            200,
            `${documented.method} ${documented.path} #${index}: ${wire.path} ${bytes?.toString('utf8') ?? ''} -> ${reply.statusCode} ${reply.body}`,
          );
        }
      }
    } finally {
      await app.close();
    }
  });

  it("resolves symbolic ids against the pools, preferring the caller's own in the wanted state", () => {
    const all = pools();
    assert.equal(all.resolve(new PoolRef('order', 5, true, ['SHIPPED']), '11'), '802');
    assert.equal(all.resolve(new PoolRef('order', 0, true, ['REFUNDED']), '11'), '801');
    assert.equal(all.resolve(new PoolRef('afterSales', 0, false), '11'), undefined);
  });

  it('replaces exactly one field of a valid body with a hostile value', () => {
    const schema = route('PUT', '/api/v1/cart/items/{goodsId}').body!.schema!;
    const valid = { quantity: 2, checked: true };
    assert.deepEqual(
      fieldSlots(valid, schema).map((slot) => slot.path.join('.')),
      ['quantity', 'checked'],
    );
    for (const { body, label } of fc.sample(hostileField(valid, schema)!, { seed: 5, numRuns: 200 })) {
      assert.equal(body.kind, 'json');
      const value = (body as { value: Record<string, unknown> }).value;
      const field = label.replace('field:', '');
      for (const [name, original] of Object.entries(valid)) if (name !== field) assert.deepEqual(value[name], original, label);
    }
  });

  it('writes the JSON no serialiser writes: duplicated keys, own __proto__, overflowing numbers, deep nesting', () => {
    assert.equal(
      toJsonText(
        new Entries([
          ['a', 1],
          ['a', new RawJson('1e309')],
          ['__proto__', { admin: true }],
        ]),
      ),
      '{"a":1,"a":1e309,"__proto__":{"admin":true}}',
    );
    const deep = deeplyNested(5000, 'array').text;
    assert.equal(deep.length, 10_000);
    assert.equal(toJsonText({ a: undefined, b: [undefined] }), '{"b":[null]}');
  });

  it('mints tokens order-web accepts, and hostile ones it refuses', async () => {
    const tokens = new TokenService(credentials.secret, 3600);
    const customer = identity('11');
    assert.deepEqual(await tokens.verify(mintToken(customer, { secret: credentials.secret })), {
      ...customer,
      sessionId: MINTED_SESSION_ID,
      tokenVersion: '0',
    });
    const bearer = (kind: Parameters<typeof authorization>[0]) =>
      authorization(kind, { ...credentials, customers: [{ identity: customer, token: mintToken(customer, { secret: credentials.secret }), password: 'p' }] }, 0)
        .header;
    for (const kind of ['expired', 'other-secret', 'other-secret-admin', 'alg-none', 'alg-none-admin', 'truncated-signature'] as const) {
      assert.equal(await tokens.verify(bearer(kind)!.slice('Bearer '.length)), undefined, kind);
    }
    assert.equal(bearer('missing'), undefined);
    assert.ok(bearer('lowercase-scheme')!.startsWith('bearer '));
  });

  it('signs notify forms as the gateway does, and tells forged, tampered and unverifiable ones apart', () => {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const forged = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const keys: NotifyKeys = {
      appId: '2021000000000001',
      alipayPrivateKey: pair.privateKey,
      alipayPublicKey: pair.publicKey,
      forgedPrivateKey: forged.privateKey,
    };
    const trades: Trade[] = [{ paymentId: '386000000000000001', amount: '50.00', tradeNo: '2026000000000001' }];
    const seen = new Map<string, Set<string>>();
    for (const plan of fc.sample(formArbitrary(trades, keys), { seed: 9, numRuns: 400 })) {
      const kind = plan.scenario.split(':')[0]!;
      if (!seen.has(kind)) seen.set(kind, new Set());
      seen.get(kind)!.add(expectedReply(plan, keys, trades).reply);
    }
    assert.deepEqual([...seen.get('replay-resigned')!], ['success']);
    for (const refused of ['forged', 'wrong-app', 'wrong-amount', 'unknown-trade', 'sign-garbage', 'empty'])
      assert.deepEqual([...(seen.get(refused) ?? [])], ['failure'], refused);
    const form = { out_trade_no: '1', sign: 'x', sign_type: 'XYZ' };
    assert.equal(sdkSignatureValid(form, keys.alipayPublicKey), 'throws');
  });

  it('derives one seed per request, so that a run replays exactly', () => {
    assert.equal(seedFor(42, 'order-web', 7), seedFor(42, 'order-web', 7));
    assert.notEqual(seedFor(42, 'order-web', 7), seedFor(42, 'pay-web', 7));
    const arbitrary = planArbitrary(route('POST', '/api/v1/orders'), hintsFor(route('POST', '/api/v1/orders'), context));
    assert.deepEqual(prepare(drawn(arbitrary, 5), pools(), credentials).wire, prepare(drawn(arbitrary, 5), pools(), credentials).wire);
  });
});
