/**
 * The default rate limits, proved on front doors started as a shop on the internet would run
 * them (RATE_LIMIT_SCALE unset), beside the running system: two order-web instances counting
 * together in Redis, and a pay-web. The clients come from several loopback addresses (127.0.0.x),
 * so that a limit per address and a limit per account can be told apart. Each refusal is
 * 429 RATE_LIMITED with Retry-After, and changes nothing.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { DEFAULT_LIMITS } from '@shop/common/http';
import { eventually } from '../../../common/test/support/infra';
import { freePort } from '../../../common/test/support/zookeeper-server';
import { portVariable, spawnFrontDoor, type FrontDoorName } from './support/front-door-process';
import { adminLogin, call, newCustomer, newGoods, uniqueName } from './support/shop-api';
import { SystemState } from './support/system-state';

interface Answer {
  status: number;
  retryAfter?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One HTTP call from a chosen loopback address. */
function callFrom(from: string, port: number, method: string, path: string, options: { json?: unknown; token?: string } = {}): Promise<Answer> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        localAddress: from,
        headers: {
          ...(body && { 'content-type': 'application/json' }),
          ...(options.token && { authorization: `Bearer ${options.token}` }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'] as string | undefined,
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

/** A front door from the build, with the default limits and its own counters' namespace (its admin listener on any free port). */
function startFrontDoor(name: FrontDoorName, port: number, namespace: string): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', RATE_LIMIT_NAMESPACE: namespace, LOG_LEVEL: 'warn' };
  delete env.RATE_LIMIT_SCALE;
  env.RATE_LIMIT_REDIS_URL = 'redis://127.0.0.1:6379';
  env[portVariable(name)] = String(port);
  env[portVariable(name, true)] = '0';
  return spawnFrontDoor(name, env, { port });
}

function expectLimited(answer: Answer, what: string): void {
  assert.equal(answer.status, 429, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.code, 'RATE_LIMITED');
  assert.ok(Number(answer.retryAfter) >= 1, `${what}: Retry-After ${answer.retryAfter}`);
}

describe('rate limits at their defaults (two order-web instances sharing Redis, one pay-web)', function () {
  this.timeout(120_000);
  const children: ChildProcess[] = [];
  let first: number;
  let second: number;
  let payWeb: number;
  let state: SystemState;

  before(async () => {
    const namespace = `shop-rate-limit:spec-${Date.now().toString(36)}:`;
    [first, second, payWeb] = [await freePort(), await freePort(), await freePort()];
    children.push(await startFrontDoor('order-web', first, namespace));
    children.push(await startFrontDoor('order-web', second, namespace));
    children.push(await startFrontDoor('pay-web', payWeb, namespace));
    state = await SystemState.open();
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await state?.close();
  });

  it('sign-ups: 10 an hour from one address, counted across both instances; the 11th creates nothing; another address signs up', async () => {
    const from = '127.0.0.11';
    assert.equal(DEFAULT_LIMITS.signupPerIp.max, 10);
    for (let i = 0; i < 10; i++) {
      const port = i % 2 === 0 ? first : second;
      const answer = await callFrom(from, port, 'POST', '/api/v1/auth/register', { json: { username: uniqueName('rl'), password: 'password-123' } });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
    }
    const refused = uniqueName('rl');
    expectLimited(await callFrom(from, first, 'POST', '/api/v1/auth/register', { json: { username: refused, password: 'password-123' } }), 'the 11th sign-up');
    assert.equal(await state.userIdOf(refused), undefined, 'no account was created');
    const elsewhere = await callFrom('127.0.0.12', second, 'POST', '/api/v1/auth/register', { json: { username: uniqueName('rl'), password: 'password-123' } });
    assert.equal(elsewhere.status, 201);
  });

  it('wrong passwords: the 6th try at one account is refused from any address, right password or not; other accounts sign in', async () => {
    const admin = (await adminLogin()).token;
    const victim = await newCustomer(admin);
    const bystander = await newCustomer(admin);
    const username = await state.usernameOf(victim.userId);
    const other = await state.usernameOf(bystander.userId);
    for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerAccount.max; i++) {
      const answer = await callFrom(`127.0.0.${21 + i}`, i % 2 === 0 ? first : second, 'POST', '/api/v1/auth/login', {
        json: { username, password: `guess-${i}` },
      });
      assert.equal(answer.status, 401, JSON.stringify(answer.body));
    }
    expectLimited(await callFrom('127.0.0.30', first, 'POST', '/api/v1/auth/login', { json: { username, password: 'guess-again' } }), 'a 6th guess');
    expectLimited(await callFrom('127.0.0.31', second, 'POST', '/api/v1/auth/login', { json: { username, password: 'password-123' } }), 'the right password');
    const fine = await callFrom('127.0.0.30', first, 'POST', '/api/v1/auth/login', { json: { username: other, password: 'password-123' } });
    assert.equal(fine.status, 200, 'another account signs in from the same address');
  });

  it('sign-ins: 30 a minute from one address (any accounts); then 429 there, while another address signs in', async () => {
    const from = '127.0.0.41';
    for (let i = 0; i < DEFAULT_LIMITS.loginPerIp.max; i++) {
      const answer = await callFrom(from, i % 2 === 0 ? first : second, 'POST', '/api/v1/auth/login', {
        json: { username: uniqueName('nobody'), password: 'x' },
      });
      assert.equal(answer.status, 401);
    }
    expectLimited(await callFrom(from, first, 'POST', '/api/v1/auth/login', { json: { username: uniqueName('nobody'), password: 'x' } }), 'the 31st sign-in');
    const admin = await callFrom('127.0.0.42', first, 'POST', '/api/v1/auth/login', {
      json: { username: process.env.ADMIN_USERNAME ?? 'admin', password: process.env.ADMIN_PASSWORD ?? 'admin123' },
    });
    assert.equal(admin.status, 200);
  });

  it('orders: 60 a minute per user, whatever the address; the 61st is refused before anything is written', async () => {
    const admin = (await adminLogin()).token;
    const customer = await newCustomer(admin);
    const unknownGoods = { items: [{ goodsId: '1', quantity: 1 }], address: '1 Limit Road', consignee: 'Rate' };
    const before = (await state.ordersOf(customer.userId)).length;
    for (let i = 0; i < DEFAULT_LIMITS.ordersPerUser.max; i++) {
      const answer = await callFrom(`127.0.0.${51 + (i % 5)}`, i % 2 === 0 ? first : second, 'POST', '/api/v1/orders', {
        json: unknownGoods,
        token: customer.token,
      });
      assert.equal(answer.status, 404, JSON.stringify(answer.body));
    }
    expectLimited(await callFrom('127.0.0.60', first, 'POST', '/api/v1/orders', { json: unknownGoods, token: customer.token }), 'the 61st order');
    assert.equal((await state.ordersOf(customer.userId)).length, before, 'no order written');
    const other = await newCustomer(admin);
    assert.equal(
      (await callFrom('127.0.0.60', first, 'POST', '/api/v1/orders', { json: unknownGoods, token: other.token })).status,
      404,
      'another user is not limited',
    );
  });

  it('payments: 30 a minute per user at pay-web', async () => {
    const admin = (await adminLogin()).token;
    const customer = await newCustomer(admin);
    for (let i = 0; i < DEFAULT_LIMITS.paymentsPerUser.max; i++) {
      const answer = await callFrom('127.0.0.71', payWeb, 'POST', '/api/v1/payments', { json: { orderId: '1', channel: 'ALIPAY_QR' }, token: customer.token });
      assert.equal(answer.status, 404, JSON.stringify(answer.body));
    }
    expectLimited(
      await callFrom('127.0.0.71', payWeb, 'POST', '/api/v1/payments', { json: { orderId: '1', channel: 'ALIPAY_QR' }, token: customer.token }),
      'the 31st payment',
    );
  });

  it('refunds: 10 a minute per user at pay-web; the 11th is refused, another user is not', async () => {
    const admin = (await adminLogin()).token;
    const customer = await newCustomer(admin);
    const refund = { json: { reason: 'limit check' }, token: customer.token };
    for (let i = 0; i < DEFAULT_LIMITS.refundsPerUser.max; i++) {
      const answer = await callFrom('127.0.0.72', payWeb, 'POST', '/api/v1/orders/1/refund', refund);
      assert.equal(answer.status, 404, JSON.stringify(answer.body));
    }
    expectLimited(await callFrom('127.0.0.72', payWeb, 'POST', '/api/v1/orders/1/refund', refund), 'the 11th refund');
    const other = await newCustomer(admin);
    const answer = await callFrom('127.0.0.72', payWeb, 'POST', '/api/v1/orders/1/refund', { ...refund, token: other.token });
    assert.equal(answer.status, 404, 'another user is not limited');
  });

  it('never limits a busy shopper: sign-up, a mistyped password, 200 catalogue reads, 10 orders, 5 QR payments and 3 refunds in a minute', async () => {
    const from = '127.0.0.81';
    const admin = (await adminLogin()).token;
    const goodsId = await newGoods(admin, '10.00', 100);
    const username = uniqueName('busy');
    const answers: [string, Answer][] = [];
    const ask = async (what: string, port: number, method: string, path: string, options: { json?: unknown; token?: string } = {}) => {
      const answer = await callFrom(from, port, method, path, options);
      answers.push([what, answer]);
      return answer;
    };
    await ask('sign-up', first, 'POST', '/api/v1/auth/register', { json: { username, password: 'password-123' } });
    await ask('a mistyped password', first, 'POST', '/api/v1/auth/login', { json: { username, password: 'password-124' } });
    const signedIn = await ask('sign-in', second, 'POST', '/api/v1/auth/login', { json: { username, password: 'password-123' } });
    const { token, userId } = signedIn.body as { token: string; userId: string };
    const topUp = await call('POST', `/api/v1/admin/users/${userId}/balance`, {
      token: admin,
      json: { amount: '100.00', reason: 'busy shopper' },
      headers: { 'idempotency-key': uniqueName('busy-') },
    });
    assert.equal(topUp.status, 200, JSON.stringify(topUp.body));
    for (let i = 0; i < 50; i++) {
      const port = i % 2 === 0 ? first : second;
      await ask('the catalogue', port, 'GET', '/api/v1/goods?page=1');
      await ask('one goods', port, 'GET', `/api/v1/goods/${goodsId}`);
      await ask('the categories', port, 'GET', '/api/v1/categories');
      await ask('the cart', port, 'GET', '/api/v1/cart', { token });
    }
    // 10.00 and 10.00 of shipping: the first five paid wholly by balance.
    const order = (balance?: string) => ({ items: [{ goodsId, quantity: 1 }], address: '1 Busy Road', consignee: 'Busy', ...(balance && { balance }) });
    const paidByBalance: string[] = [];
    const unpaid: string[] = [];
    for (let i = 0; i < 10; i++) {
      const placed = await ask('an order', i % 2 === 0 ? first : second, 'POST', '/api/v1/orders', { json: order(i < 5 ? '20.00' : undefined), token });
      (i < 5 ? paidByBalance : unpaid).push(placed.body.orderId as string);
    }
    for (const orderId of unpaid) await ask('a QR payment', payWeb, 'POST', '/api/v1/payments', { json: { orderId, channel: 'ALIPAY_QR' }, token });
    for (const orderId of paidByBalance.slice(0, 3))
      await ask('a refund', payWeb, 'POST', `/api/v1/orders/${orderId}/refund`, { json: { reason: 'changed my mind' }, token });

    const refused = answers.filter(([, answer]) => answer.status >= 400).map(([what, answer]) => `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    assert.deepEqual(refused, ['a mistyped password: 401 ' + JSON.stringify(answers[1]![1].body)], 'only the mistyped password is refused');
    assert.equal(answers.length, 1 + 2 + 200 + 10 + 5 + 3);
    // And what the answers said is what the shop holds: 10 orders, 5 paid by balance of which 3 refunded.
    await eventually('the three refunded orders REFUNDED', 30_000, async () => {
      const orders = await state.ordersOf(userId);
      assert.equal(orders.length, 10);
      const statuses = new Map(orders.map((row) => [String(row.id), row.status]));
      const seen = [...paidByBalance, ...unpaid].map((id) => statuses.get(id));
      return seen.join() === ['REFUNDED', 'REFUNDED', 'REFUNDED', 'PAID', 'PAID', ...Array(5).fill('CONFIRMED')].join() ? true : undefined;
    });
  });
});
