/**
 * The fuzz run's fixture, made through the public APIs like any client would: a few users with
 * balance and coupons, goods, carts, and orders in every state the handlers branch on (PAID,
 * SHIPPED, COMPLETED with an open or rejected after-sales request, CANCELLED, REFUNDED). No order
 * is left CONFIRMED: its pay deadline would cancel it 20 s later, a change no request made.
 * Payments go through the local gateway's control API, as in web/pay-web/test/support/fixtures.ts.
 */
import { randomUUID } from 'node:crypto';
import { callJson } from './http';
import type { FuzzConfig } from './config';
import { mintToken, jwtSecret, tokenSubject, type Credentials, type Identity } from './tokens';
import type { World } from './world';

type Log = (line: string) => void;

export const FUZZ_PASSWORD = 'fuzz-password-123';

interface Reply {
  status: number;
  body: unknown;
}

function expectStatus(reply: Reply, statuses: number[], what: string): Record<string, unknown> {
  if (!statuses.includes(reply.status)) throw new Error(`fixture: ${what} answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  return (reply.body ?? {}) as Record<string, unknown>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The fixture's API calls (order-web, pay-web, gateway), each checked. */
export class FixtureApi {
  constructor(private readonly config: FuzzConfig) {}

  /**
   * One call, retried while the system answers 503 or not at all (a busy shared system): writes
   * carry one Idempotency-Key for all their attempts, so a retried write happens once.
   */
  private async call(base: string, method: string, path: string, token?: string, json?: unknown): Promise<Reply> {
    const headers: Record<string, string> = method === 'GET' ? {} : { 'idempotency-key': `fz-fixture-${randomUUID()}` };
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await callJson(base, method, path, { token, json, headers });
        if (reply.status !== 503 || attempt === 4) return reply;
      } catch (error) {
        if (attempt === 4) throw error;
      }
      await sleep(1000 * attempt);
    }
  }

  private order(method: string, path: string, token?: string, json?: unknown) {
    return this.call(this.config.orderWeb, method, path, token, json);
  }

  private pay(method: string, path: string, token?: string, json?: unknown) {
    return this.call(this.config.payWeb, method, path, token, json);
  }

  async login(username: string, password: string): Promise<{ token: string; identity: Identity }> {
    const body = expectStatus(await this.order('POST', '/api/v1/auth/login', undefined, { username, password }), [200], `login ${username}`);
    const token = String(body.token);
    return { token, identity: { userId: String(body.userId ?? tokenSubject(token)), username, role: body.role === 'ADMIN' ? 'ADMIN' : 'CUSTOMER' } };
  }

  async register(username: string): Promise<{ token: string; identity: Identity }> {
    // 409: taken by an earlier attempt of ours (the name is unique to the run).
    expectStatus(await this.order('POST', '/api/v1/auth/register', undefined, { username, password: FUZZ_PASSWORD }), [201, 409], `register ${username}`);
    return this.login(username, FUZZ_PASSWORD);
  }

  async goods(admin: string, name: string, price: string, stock: number): Promise<string> {
    return String(expectStatus(await this.order('POST', '/api/v1/admin/goods', admin, { name, price, stock }), [201], `create goods ${name}`).goodsId);
  }

  async recharge(admin: string, userId: string, amount: string): Promise<void> {
    // Every write of the fixture carries its Idempotency-Key (call); an adjustment also needs a reason.
    expectStatus(await this.order('POST', `/api/v1/admin/users/${userId}/balance`, admin, { amount, reason: 'fuzz fixture' }), [200], `recharge ${userId}`);
  }

  /** Puts the goods on sale (an accepted fuzz request may have taken them off): orders of them can be placed again. */
  async onSale(admin: string, goodsId: string): Promise<void> {
    expectStatus(await this.order('PATCH', `/api/v1/admin/goods/${goodsId}`, admin, { onSale: true, reason: 'fuzz fixture' }), [200], `put ${goodsId} on sale`);
  }

  async coupon(admin: string, userId: string, amount: string): Promise<string> {
    return String(expectStatus(await this.order('POST', `/api/v1/admin/users/${userId}/coupons`, admin, { amount }), [201], `coupon for ${userId}`).couponId);
  }

  async cartLine(token: string, goodsId: string, quantity: number, checked: boolean): Promise<void> {
    expectStatus(await this.order('PUT', `/api/v1/cart/items/${goodsId}`, token, { quantity, checked }), [200], 'cart line');
  }

  /**
   * A placed order: CONFIRMED, with part paid by balance and something left to pay through
   * Alipay. The balance is sized from the server's quote, since accepted fuzz requests may
   * have changed the goods' price meanwhile (a price of 0.00 leaves only the shipping fee).
   */
  async place(token: string, goodsId: string, couponId?: string): Promise<string> {
    const request = { items: [{ goodsId, quantity: 2 }], ...(couponId && { couponId }) };
    const quote = expectStatus(await this.order('POST', '/api/v1/orders/quote', token, request), [200], 'quote an order');
    // Up to 20.00 of balance, always leaving at least 1.00 (or all there is) for Alipay.
    const dueCents = Math.round(Number(quote.payAmount) * 100);
    const balanceCents = Math.max(0, Math.min(2_000, dueCents - 100));
    const body = expectStatus(
      await this.order('POST', '/api/v1/orders', token, { ...request, balance: (balanceCents / 100).toFixed(2), address: '1 Fuzz Street', consignee: 'Fuzz' }),
      [201],
      'place an order',
    );
    if (body.status !== 'CONFIRMED') throw new Error(`fixture: the order was placed ${String(body.status)}: ${JSON.stringify(body).slice(0, 300)}`);
    return String(body.orderId);
  }

  async orderStatus(token: string, orderId: string): Promise<string> {
    return String(expectStatus(await this.order('GET', `/api/v1/orders/${orderId}`, token), [200], `read order ${orderId}`).status);
  }

  async until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`fixture: timed out waiting for ${what}`);
      await sleep(250);
    }
  }

  /** Pays the order's rest through Alipay (the buyer pays at the local gateway) and waits for PAID. */
  async payThroughAlipay(token: string, orderId: string): Promise<string> {
    const paymentId = String(
      expectStatus(await this.pay('POST', '/api/v1/payments', token, { orderId, channel: 'ALIPAY_QR' }), [201], `payment of ${orderId}`).paymentId,
    );
    expectStatus(
      await this.call(this.config.gateway, 'POST', `/sandbox/trades/${paymentId}/pay`, undefined, { notify: 'normal' }),
      [200],
      `buyer pays ${paymentId}`,
    );
    await this.until(`order ${orderId} PAID`, async () => (await this.orderStatus(token, orderId)) === 'PAID');
    return paymentId;
  }

  async ship(admin: string, orderId: string): Promise<void> {
    expectStatus(await this.order('POST', `/api/v1/admin/orders/${orderId}/ship`, admin), [200], `ship ${orderId}`);
  }

  async receipt(token: string, orderId: string): Promise<void> {
    expectStatus(await this.order('POST', `/api/v1/orders/${orderId}/receipt`, token), [200], `receipt of ${orderId}`);
  }

  async cancel(token: string, orderId: string): Promise<Reply> {
    return this.order('POST', `/api/v1/orders/${orderId}/cancel`, token, { reason: 'fuzz fixture' });
  }

  async openAfterSales(token: string, orderId: string): Promise<string> {
    return String(
      expectStatus(
        await this.order('POST', `/api/v1/orders/${orderId}/after-sales`, token, { reason: 'fuzz fixture: broken on arrival' }),
        [201],
        `after-sales of ${orderId}`,
      ).afterSalesId,
    );
  }

  async rejectAfterSales(admin: string, afterSalesId: string): Promise<void> {
    expectStatus(
      await this.order('POST', `/api/v1/admin/after-sales/${afterSalesId}/reject`, admin, { note: 'fuzz fixture' }),
      [200],
      `reject ${afterSalesId}`,
    );
  }

  async refund(token: string, orderId: string): Promise<void> {
    expectStatus(await this.pay('POST', `/api/v1/orders/${orderId}/refund`, token, { reason: 'fuzz fixture' }), [201, 202], `refund of ${orderId}`);
    await this.until(`order ${orderId} REFUNDED`, async () => (await this.orderStatus(token, orderId)) === 'REFUNDED');
  }

  /** The front doors accept this token: it is signed with their secret. */
  async accepts(token: string): Promise<boolean> {
    return (await this.order('GET', '/api/v1/me', token)).status === 200;
  }
}

/** What the running build offers (it may be older or newer than this tool). */
export interface Features {
  afterSales: boolean;
  refunds: boolean;
}

export interface Fixture {
  features: Features;
  credentials: Credentials;
  runTag: string;
  goods: { plenty: string; cheap: string; scarce: string };
  api: FixtureApi;
}

type Actor = { token: string; identity: Identity };

/** The order's way to a state, each step checked. */
async function orderIn(
  api: FixtureApi,
  admin: string,
  customer: Actor,
  goodsId: string,
  state: 'PAID' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED',
  couponId?: string,
): Promise<string> {
  const orderId = await api.place(customer.token, goodsId, couponId);
  if (state === 'CANCELLED') {
    expectStatus(await api.cancel(customer.token, orderId), [200], `cancel ${orderId}`);
    return orderId;
  }
  await api.payThroughAlipay(customer.token, orderId);
  if (state === 'REFUNDED') await api.refund(customer.token, orderId);
  if (state === 'SHIPPED' || state === 'COMPLETED') await api.ship(admin, orderId);
  if (state === 'COMPLETED') await api.receipt(customer.token, orderId);
  return orderId;
}

export async function buildFixture(config: FuzzConfig, features: Features, world: World, log: Log): Promise<Fixture> {
  const api = new FixtureApi(config);
  // Unique to the run and short enough for a username (3-32 characters).
  const runTag = `fz${(config.seed % 46_656).toString(36)}${Date.now().toString(36).slice(-6)}`;
  const realAdmin = await api.login(config.admin.username, config.admin.password);
  const [c1, c2, c3, adminSubject] = [
    await api.register(`${runTag}c1`),
    await api.register(`${runTag}c2`),
    await api.register(`${runTag}c3`),
    await api.register(`${runTag}ad`),
  ];
  const secret = jwtSecret();
  const adminIdentity: Identity = { ...adminSubject.identity, role: 'ADMIN' };
  const admin = { identity: adminIdentity, token: mintToken(adminIdentity, { secret }) };
  if (!(await api.accepts(admin.token))) {
    throw new Error("fixture: the front doors refuse a token signed with the development secret; run the fuzzer with JWT_SECRET set to the system's secret");
  }
  for (const user of [c1, c2, c3, adminSubject]) world.users.add(user.identity.userId);

  const goods = {
    plenty: await api.goods(realAdmin.token, `${runTag} plenty`, '30.00', 1_000_000),
    cheap: await api.goods(realAdmin.token, `${runTag} cheap`, '0.50', 1_000_000),
    scarce: await api.goods(realAdmin.token, `${runTag} scarce`, '120.00', 3),
  };
  for (const id of Object.values(goods)) world.goods.add(id);

  const couponsOf: Record<string, string[]> = {};
  for (const [user, balance, coupons] of [
    [c1, '500.00', ['5.00', '10.00', '1.00']],
    [c2, '300.00', ['3.00', '2.00']],
    [adminSubject, '100.00', ['2.00']],
  ] as const) {
    await api.recharge(realAdmin.token, user.identity.userId, balance);
    couponsOf[user.identity.userId] = [];
    for (const amount of coupons) couponsOf[user.identity.userId]!.push(await api.coupon(realAdmin.token, user.identity.userId, amount));
  }
  await api.cartLine(c1.token, goods.plenty, 2, true);
  await api.cartLine(c1.token, goods.cheap, 1, false);
  await api.cartLine(c2.token, goods.plenty, 1, true);

  // One flow per customer, in parallel: each order waits for its own payment.
  const plans: [Actor, ('PAID' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED')[]][] = [
    [c1, ['PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED']],
    [c2, features.refunds ? ['PAID', 'REFUNDED', 'COMPLETED', 'SHIPPED'] : ['PAID', 'COMPLETED', 'SHIPPED']],
    [adminSubject, ['PAID', 'COMPLETED']],
  ];
  await Promise.all(
    plans.map(async ([customer, states]) => {
      const orders: Record<string, string> = {};
      for (const [index, state] of states.entries()) {
        // The first order of each customer uses a coupon: coupons used by orders are in the pools too.
        const coupon = index === 0 ? couponsOf[customer.identity.userId]?.[0] : undefined;
        orders[state] = await orderIn(api, realAdmin.token, customer, goods.plenty, state, coupon);
      }
      if (!features.afterSales) return;
      if (orders.COMPLETED) {
        const afterSales = await api.openAfterSales(customer.token, orders.COMPLETED);
        if (customer === c2) await api.rejectAfterSales(realAdmin.token, afterSales);
      }
      if (customer === c2 && orders.SHIPPED) await api.openAfterSales(customer.token, orders.SHIPPED);
    }),
  );
  log(
    `fixture: users ${[c1, c2, c3, adminSubject].map((user) => `${user.identity.username}=${user.identity.userId}`).join(' ')}; goods ${Object.values(goods).join(' ')}`,
  );
  return {
    features,
    credentials: {
      secret,
      customers: [c1, c2, c3].map((user) => ({ ...user, password: FUZZ_PASSWORD })),
      admin,
      realAdmin: { identity: realAdmin.identity, token: realAdmin.token },
    },
    runTag,
    goods,
    api,
  };
}

/**
 * Accepted fuzz requests use the fixture up (a PAID order gets refunded, an open after-sales
 * request approved): puts back an order of each kind the handlers need, and balance.
 */
export async function replenish(fixture: Fixture, world: World, log: Log): Promise<boolean> {
  const { api, credentials, goods } = fixture;
  const admin = credentials.realAdmin.token;
  const owners = [...credentials.customers, credentials.admin].filter((actor) => actor.identity.userId !== credentials.customers[2]?.identity.userId);
  const pick = (index: number) => owners[index % owners.length]!;
  let changed = false;
  const step = async (what: string, work: () => Promise<unknown>) => {
    await work();
    changed = true;
    log(`replenish: ${what}`);
  };
  const byToken = (actor: { token: string; identity: Identity }) => ({ token: actor.token, identity: actor.identity });
  const round = Math.floor(Date.now() / 1000);
  // Balance first: the orders put back below take 20.00 each, and accepted requests may have
  // spent it all (a fixture order then refused INSUFFICIENT_BALANCE stopped a 10,000-request run).
  for (const actor of owners) {
    const { userId, username } = actor.identity;
    if (world.balance(userId) < 100) await step(`balance for ${username}`, () => api.recharge(admin, userId, '200.00'));
  }
  const needsOrders =
    world.count('order', 'PAID') === 0 || world.count('order', 'SHIPPED') === 0 || (fixture.features.afterSales && world.count('afterSales', 'OPEN') === 0);
  // The orders below are of goods.plenty, which an accepted admin request may have taken off sale.
  if (needsOrders) await api.onSale(admin, goods.plenty);
  if (world.count('order', 'PAID') === 0) await step('a PAID order', () => orderIn(api, admin, byToken(pick(round)), goods.plenty, 'PAID'));
  if (world.count('order', 'SHIPPED') === 0) await step('a SHIPPED order', () => orderIn(api, admin, byToken(pick(round + 1)), goods.plenty, 'SHIPPED'));
  if (fixture.features.afterSales && world.count('afterSales', 'OPEN') === 0) {
    await step('an OPEN after-sales request', async () => {
      const customer = byToken(pick(round + 2));
      await api.openAfterSales(customer.token, await orderIn(api, admin, customer, goods.plenty, 'COMPLETED'));
    });
  }
  for (const actor of owners) {
    const { userId, username } = actor.identity;
    if (world.count('coupon', 'UNUSED', userId) === 0) await step(`a coupon for ${username}`, () => api.coupon(admin, userId, '1.00'));
  }
  return changed;
}
