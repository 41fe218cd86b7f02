/** A small client of the running order-web for the end-to-end specs (fetch, JSON, bearer tokens). */
import assert from 'node:assert/strict';

export const BASE_URL = `http://127.0.0.1:${process.env.ORDER_WEB_PORT ?? 7001}`;

// Replies are JSON of many shapes that the specs check field by field: `any` keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Reply<T = Json> {
  status: number;
  body: T;
}

export async function call<T = Json>(
  method: string,
  path: string,
  options: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.json !== undefined) body = JSON.stringify(options.json);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${BASE_URL}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

let counter = 0;
export const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/**
 * A sign-up or sign-in sent again while the user service refuses it for a full hashing queue
 * (503 UNAVAILABLE "too many sign-ins", Retry-After: 1), as a client honouring Retry-After does:
 * specs that create customers in bulk would otherwise fail on a busy machine (replicas on two
 * cores). Such a refusal comes before anything is written, so sending it again is safe; any other
 * answer, a deadline's 503 included, is returned as it is.
 */
async function honouringSignInRetries(send: () => Promise<Reply>): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    const reply = await send();
    if (reply.status !== 503 || !/too many sign-ins/.test(String(reply.body?.message)) || attempt === 10) return reply;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export async function login(username: string, password: string): Promise<{ token: string; refreshToken: string; userId: string }> {
  const reply = await honouringSignInRetries(() => call('POST', '/api/v1/auth/login', { json: { username, password } }));
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

export function adminLogin(): Promise<{ token: string; userId: string }> {
  return login(process.env.ADMIN_USERNAME ?? 'admin', process.env.ADMIN_PASSWORD ?? 'admin123');
}

/** A new customer with the given balance (and coupons), logged in. */
export async function newCustomer(
  admin: string,
  setup: { balance?: string; coupons?: string[] } = {},
): Promise<{ token: string; userId: string; couponIds: string[] }> {
  const username = uniqueName('c');
  const registered = await honouringSignInRetries(() => call('POST', '/api/v1/auth/register', { json: { username, password: 'password-123' } }));
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const { token, userId } = await login(username, 'password-123');
  if (setup.balance) {
    const given = await call('POST', `/api/v1/admin/users/${userId}/balance`, {
      token: admin,
      json: { amount: setup.balance, reason: 'test set-up' },
      headers: { 'idempotency-key': 'initial-balance' },
    });
    assert.equal(given.status, 200, JSON.stringify(given.body));
  }
  const couponIds: string[] = [];
  for (const amount of setup.coupons ?? []) {
    const granted = await call('POST', `/api/v1/admin/users/${userId}/coupons`, { token: admin, json: { amount } });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    couponIds.push(granted.body.couponId);
  }
  return { token, userId, couponIds };
}

export async function newGoods(admin: string, price: string, stock: number): Promise<string> {
  const created = await call('POST', '/api/v1/admin/goods', { token: admin, json: { name: uniqueName('goods '), price, stock } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.goodsId;
}

export function placeOrder(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Reply> {
  return call('POST', '/api/v1/orders', { token, json: { address: '1 Test Street', consignee: 'Tess', ...body }, headers });
}
