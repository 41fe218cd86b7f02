/**
 * What the run starts from, made through the public API like any shop would: customers with a
 * balance and coupons, ordinary goods with plenty of stock and one hot SKU with little, and the
 * admin. The numbers here are the invariants' starting point.
 */
import type { Client } from './client';
import type { ChaosConfig } from './config';
import type { Random } from './random';

export interface Customer {
  userId: string;
  username: string;
  token: string;
  /** What the admin gave: the balance every movement is counted from. */
  initialBalance: string;
  couponIds: string[];
}

export interface Fixture {
  runId: string;
  admin: { token: string; userId: string };
  customers: Customer[];
  goods: { goodsId: string; price: string; initialStock: number; hot: boolean }[];
}

const PASSWORD = 'chaos-password-1';

async function expect(
  answer: Promise<{ status: number; body: { [key: string]: unknown } }>,
  status: number,
  what: string,
): Promise<{ [key: string]: unknown }> {
  const got = await answer;
  if (got.status !== status) throw new Error(`${what}: HTTP ${got.status} ${JSON.stringify(got.body)}`);
  return got.body;
}

export async function createFixture(client: Client, config: ChaosConfig, random: Random): Promise<Fixture> {
  const runId = `x${config.seed.toString(36)}${Date.now().toString(36)}`;
  const api = (path: string) => `${config.orderWeb}/api/v1${path}`;
  const admin = (await expect(
    client.call('POST', api('/auth/login'), { json: { username: process.env.ADMIN_USERNAME ?? 'admin', password: process.env.ADMIN_PASSWORD ?? 'admin123' } }),
    200,
    'admin login',
  )) as { token: string; userId: string };

  const goods: Fixture['goods'] = [];
  for (let i = 0; i < 8; i++) {
    const hot = i === 0;
    const price = hot ? '19.90' : `${random.int(3, 60)}.${random.pick(['00', '50', '99'])}`;
    const initialStock = hot ? 40 : 100_000;
    const created = await expect(
      client.call('POST', api('/admin/goods'), {
        token: admin.token,
        json: { name: `chaos ${runId} ${hot ? 'HOT' : i}`, price, stock: initialStock },
        headers: { 'idempotency-key': `${runId}-goods-${i}` },
      }),
      201,
      'goods',
    );
    goods.push({ goodsId: created.goodsId as string, price, initialStock, hot });
  }

  const customers: Customer[] = [];
  const count = Math.max(8, config.concurrency * 3);
  for (let i = 0; i < count; i++) {
    const username = `${runId}u${i}`;
    await expect(client.call('POST', api('/auth/register'), { json: { username, password: PASSWORD } }), 201, 'register');
    const login = (await expect(client.call('POST', api('/auth/login'), { json: { username, password: PASSWORD } }), 200, 'login')) as {
      token: string;
      userId: string;
    };
    const initialBalance = random.chance(0.8) ? `${random.int(1, 3) * 100}.00` : '0.00';
    if (initialBalance !== '0.00') {
      await expect(
        client.call('POST', api(`/admin/users/${login.userId}/balance`), {
          token: admin.token,
          json: { amount: initialBalance, reason: `chaos run ${runId}` },
          headers: { 'idempotency-key': `${runId}-balance-${i}` },
        }),
        200,
        'recharge',
      );
    }
    const couponIds: string[] = [];
    for (let c = 0; c < random.int(0, 3); c++) {
      const coupon = await expect(
        client.call('POST', api(`/admin/users/${login.userId}/coupons`), {
          token: admin.token,
          json: { amount: random.pick(['3.00', '5.00', '10.00', '200.00']) },
          headers: { 'idempotency-key': `${runId}-coupon-${i}-${c}` },
        }),
        201,
        'coupon',
      );
      couponIds.push(coupon.couponId as string);
    }
    customers.push({ userId: login.userId, username, token: login.token, initialBalance, couponIds });
  }
  return { runId, admin, customers, goods };
}
