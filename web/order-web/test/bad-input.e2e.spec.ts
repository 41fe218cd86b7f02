/**
 * Bad input at order-web: each request answers a 4xx with a stable code, never a 5xx, and
 * changes nothing (stock, balance, coupon, orders).
 */
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { DEVELOPMENT_JWT_SECRET } from '@shop/common/http';
import { connect } from 'node:net';
import { adminLogin, BASE_URL, call, newCustomer, newGoods, placeOrder, type Reply } from './support/shop-api';
import { SystemState } from './support/system-state';

const secret = new TextEncoder().encode(process.env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET);

describe('bad input at order-web changes nothing', function () {
  this.timeout(60_000);
  let admin: string;
  let state: SystemState;
  let customer: { token: string; userId: string; couponIds: string[] };
  let goodsId: string;

  const snapshot = async () => ({
    stock: await state.stock(goodsId),
    balance: await state.balance(customer.userId),
    coupon: await state.coupon(customer.couponIds[0]!),
    orders: await state.ordersOf(customer.userId),
  });
  const expectError = (reply: Reply, status: number, code: string, what: string) => {
    assert.equal(reply.status, status, `${what}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body?.code, code, what);
    assert.equal(typeof reply.body?.message, 'string', what);
  };

  before(async () => {
    admin = (await adminLogin()).token;
    state = await SystemState.open();
    goodsId = await newGoods(admin, '12.50', 20);
    customer = await newCustomer(admin, { balance: '30.00', coupons: ['4.00'] });
  });

  after(async () => {
    await state?.close();
  });

  it('invalid orders: 400 INVALID_ARGUMENT (or the specific code), and no stock, balance, coupon or order changes', async () => {
    const before = await snapshot();
    const line = { goodsId, quantity: 1 };
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['no items', { items: [] }, 400, 'INVALID_ARGUMENT'],
      ['items missing', { items: undefined }, 400, 'INVALID_ARGUMENT'],
      ['quantity zero', { items: [{ goodsId, quantity: 0 }] }, 400, 'INVALID_ARGUMENT'],
      ['quantity negative', { items: [{ goodsId, quantity: -1 }] }, 400, 'INVALID_ARGUMENT'],
      ['quantity huge', { items: [{ goodsId, quantity: 1_000_000_000_000 }] }, 400, 'INVALID_ARGUMENT'],
      ['quantity 1000', { items: [{ goodsId, quantity: 1000 }] }, 400, 'INVALID_ARGUMENT'],
      ['quantity as a string', { items: [{ goodsId, quantity: '2' }] }, 400, 'INVALID_ARGUMENT'],
      ['quantity fractional', { items: [{ goodsId, quantity: 1.5 }] }, 400, 'INVALID_ARGUMENT'],
      [
        'two lines of one goods above 999',
        {
          items: [
            { goodsId, quantity: 600 },
            { goodsId, quantity: 600 },
          ],
        },
        400,
        'INVALID_ARGUMENT',
      ],
      ['51 lines', { items: Array.from({ length: 51 }, () => line) }, 400, 'INVALID_ARGUMENT'],
      ['goods id not numeric', { items: [{ goodsId: 'abc', quantity: 1 }] }, 400, 'INVALID_ARGUMENT'],
      ['goods id as a number', { items: [{ goodsId: 12, quantity: 1 }] }, 400, 'INVALID_ARGUMENT'],
      ['unknown goods', { items: [{ goodsId: '123456789012345678', quantity: 1 }] }, 404, 'NOT_FOUND'],
      ['unknown coupon', { items: [line], couponId: '123456789012345678' }, 409, 'COUPON_UNAVAILABLE'],
      ['negative balance', { items: [line], balance: '-1.00' }, 400, 'INVALID_ARGUMENT'],
      ['balance as a number', { items: [line], balance: 5 }, 400, 'INVALID_ARGUMENT'],
      ['balance with exponent', { items: [line], balance: '1e2' }, 400, 'INVALID_ARGUMENT'],
      ['balance with three decimals', { items: [line], balance: '1.001' }, 400, 'INVALID_ARGUMENT'],
      ['balance above what is due', { items: [line], balance: '22.51' }, 400, 'INVALID_ARGUMENT'],
      ['balance huge', { items: [line], balance: '999999999999.99' }, 400, 'INVALID_ARGUMENT'],
      ['address empty', { items: [line], address: '' }, 400, 'INVALID_ARGUMENT'],
      ['address blank', { items: [line], address: '   ' }, 400, 'INVALID_ARGUMENT'],
      ['address too long', { items: [line], address: 'x'.repeat(201) }, 400, 'INVALID_ARGUMENT'],
      ['unknown field', { items: [line], price: '0.01' }, 400, 'INVALID_ARGUMENT'],
    ];
    for (const [what, body, status, code] of cases) expectError(await placeOrder(customer.token, body), status, code, what);
    expectError(
      await placeOrder(customer.token, { items: [line] }, { 'idempotency-key': 'k'.repeat(65) }),
      400,
      'INVALID_ARGUMENT',
      'idempotency key too long',
    );
    assert.deepEqual(await snapshot(), before);
  });

  it('malformed bodies: invalid JSON, wrong content type, oversized: 4xx with a code', async () => {
    const before = await snapshot();
    expectError(await call('POST', '/api/v1/orders', { token: customer.token, raw: '{"items": [' }), 400, 'INVALID_ARGUMENT', 'invalid JSON');
    expectError(await call('POST', '/api/v1/orders', { token: customer.token, raw: 'null' }), 400, 'INVALID_ARGUMENT', 'null body');
    expectError(await call('POST', '/api/v1/orders', { token: customer.token, raw: '[]' }), 400, 'INVALID_ARGUMENT', 'array body');
    expectError(
      await call('POST', '/api/v1/orders', { token: customer.token, raw: 'items=1', headers: { 'content-type': 'text/plain' } }),
      400,
      'INVALID_ARGUMENT',
      'text body',
    );
    expectError(
      await call('POST', '/api/v1/orders', { token: customer.token, raw: '<items/>', headers: { 'content-type': 'application/xml' } }),
      415,
      'INVALID_ARGUMENT',
      'xml body',
    );
    const huge = JSON.stringify({ items: [{ goodsId, quantity: 1 }], address: 'x'.repeat(200_000), consignee: 'y' });
    expectError(await call('POST', '/api/v1/orders', { token: customer.token, raw: huge }), 413, 'PAYLOAD_TOO_LARGE', 'oversized body');
    assert.deepEqual(await snapshot(), before);
  });

  it("malformed URLs, parameters past the router's limit and raw bytes in the path: 4xx in the API's shape", async () => {
    expectError(await call('GET', '/api/v1/goods/%ff'), 400, 'INVALID_ARGUMENT', 'a path that does not decode');
    const long = await call('POST', `/api/v1/admin/orders/${'9'.repeat(5_000)}/ship`, { token: admin });
    assert.ok(
      long.status >= 400 && long.status < 500 && long.body.code === 'INVALID_ARGUMENT',
      `a 5,000-digit id: ${long.status} ${JSON.stringify(long.body)}`,
    );
    // Node's HTTP parser refuses these bytes before fastify sees them.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(BASE_URL).port), '127.0.0.1', () =>
        socket.end(Buffer.concat([Buffer.from('GET /api/v1/goods/'), Buffer.from([0xe4, 0xb8, 0x00, 0x7f]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')])),
      );
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400/);
    assert.match(raw, /"code":"INVALID_ARGUMENT"/);
  });

  it('missing, malformed, forged and expired tokens: 401 UNAUTHENTICATED; customers cannot use admin routes: 403', async () => {
    const before = await snapshot();
    const body = { items: [{ goodsId, quantity: 1 }], address: 'a', consignee: 'b' };
    const forged = await new SignJWT({ username: 'x', role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(customer.userId)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
    const expired = await new SignJWT({ username: 'x', role: 'CUSTOMER' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(customer.userId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(secret);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: customer.userId, username: 'x', role: 'ADMIN' })).toString('base64url')}.`;
    expectError(await call('POST', '/api/v1/orders', { json: body }), 401, 'UNAUTHENTICATED', 'no token');
    for (const [what, token] of [
      ['garbage', 'abc.def.ghi'],
      ['forged', forged],
      ['expired', expired],
      ['alg none', unsigned],
    ] as const) {
      expectError(await call('POST', '/api/v1/orders', { token, json: body }), 401, 'UNAUTHENTICATED', what);
      expectError(await call('GET', '/api/v1/me', { token }), 401, 'UNAUTHENTICATED', what);
    }
    expectError(
      await call('POST', `/api/v1/admin/users/${customer.userId}/balance`, {
        token: customer.token,
        json: { amount: '1000.00', reason: 'mine' },
        headers: { 'idempotency-key': 'self-service' },
      }),
      403,
      'FORBIDDEN',
      'customer recharging',
    );
    expectError(
      await call('POST', '/api/v1/admin/goods', { token: customer.token, json: { name: 'free', price: '0.01', stock: 5 } }),
      403,
      'FORBIDDEN',
      'customer adding goods',
    );
    expectError(
      await call('POST', '/api/v1/auth/login', { json: { username: 'admin', password: 'wrong-password' } }),
      401,
      'UNAUTHENTICATED',
      'wrong password',
    );
    assert.deepEqual(await snapshot(), before);
  });

  it("another user's order answers 404, and admin input is validated too", async () => {
    const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
    assert.equal(placed.status, 201);
    const other = await newCustomer(admin);
    const before = await snapshot();
    expectError(await call('GET', `/api/v1/orders/${placed.body.orderId}`, { token: other.token }), 404, 'NOT_FOUND', "another user's order");
    expectError(
      await call('POST', `/api/v1/orders/${placed.body.orderId}/cancel`, { token: other.token }),
      404,
      'NOT_FOUND',
      "cancelling another user's order",
    );
    expectError(await call('GET', '/api/v1/orders/not-a-number', { token: customer.token }), 400, 'INVALID_ARGUMENT', 'order id not numeric');
    expectError(
      await call('POST', `/api/v1/orders/${placed.body.orderId}/receipt`, { token: customer.token }),
      409,
      'ORDER_STATE',
      'receipt of an unshipped order',
    );
    expectError(await call('POST', `/api/v1/admin/orders/${placed.body.orderId}/ship`, { token: admin }), 409, 'ORDER_STATE', 'shipping an unpaid order');
    for (const amount of ['0', '-0.00', '+5', 'ten', '1e9', '0.001', '--5']) {
      const reply = await call('POST', `/api/v1/admin/users/${customer.userId}/balance`, {
        token: admin,
        json: { amount, reason: 'test' },
        headers: { 'idempotency-key': `bad-${amount}` },
      });
      expectError(reply, 400, 'INVALID_ARGUMENT', `adjustment ${amount}`);
    }
    expectError(
      await call('POST', '/api/v1/admin/users/123456789012345678/coupons', { token: admin, json: { amount: '5.00' } }),
      404,
      'NOT_FOUND',
      'coupon for a missing user',
    );
    expectError(
      await call('POST', '/api/v1/admin/goods', { token: admin, json: { name: 'x', price: '1.00', stock: -1 } }),
      400,
      'INVALID_ARGUMENT',
      'negative stock',
    );
    expectError(await call('GET', '/api/v1/goods?page=0', {}), 400, 'INVALID_ARGUMENT', 'page 0');
    expectError(await call('GET', '/api/v1/nowhere', {}), 404, 'NOT_FOUND', 'unknown route');
    assert.deepEqual(await snapshot(), before);
    assert.equal((await state.order(placed.body.orderId))?.status, 'CONFIRMED');
  });
});
