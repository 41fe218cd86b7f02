/**
 * An admin's users: the list (search, paging), a user's page with coupons and adjustments,
 * balance adjustments with a reason once per Idempotency-Key and never below zero, bans that
 * refuse sign-in and the tokens already issued in both front doors, and unbans; checked in the
 * user service's tables.
 */
import assert from 'node:assert/strict';
import { withSystem } from './support/end-to-end';
import { call, login, newCustomer, uniqueName, type Reply } from './support/shop-api';
import type { SystemState } from './support/system-state';

const PAY_WEB_URL = `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`;

describe('admin: users, balance adjustments and bans', function () {
  this.timeout(60_000);
  let admin: string;
  let adminId: string;
  let state: SystemState;
  withSystem(
    (system) =>
      ({
        admin: { token: admin, userId: adminId },
        state,
      } = system),
  );

  const expectError = (reply: Reply, status: number, code: string, what: string) => {
    assert.equal(reply.status, status, `${what}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body?.code, code, what);
  };
  const adjust = (userId: string, key: string | undefined, body: Record<string, unknown>, token = admin) =>
    call('POST', `/api/v1/admin/users/${userId}/balance`, { token, json: body, headers: key === undefined ? {} : { 'idempotency-key': key } });
  /** A customer of a given name, signed up and signed in. */
  const signUp = async (username: string) => {
    assert.equal((await call('POST', '/api/v1/auth/register', { json: { username, password: 'password-123' } })).status, 201);
    return login(username, 'password-123');
  };
  /** A payment id nobody has: pay-web answers 404 to a user in good standing, 403 to a banned one. */
  const payWebAsks = async (token: string) => {
    const response = await fetch(`${PAY_WEB_URL}/api/v1/payments/123456789012345678`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, code: ((await response.json()) as { code?: string }).code };
  };
  const eventually = async <T>(what: string, check: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await check();
      if (done(value)) return value;
      if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)} after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it('lists users newest first, searches the usernames, pages with a total, and refuses bad pages and customers', async () => {
    const prefix = uniqueName('adm');
    const created = [];
    for (const suffix of ['a', 'b', 'c']) created.push(await signUp(`${prefix}${suffix}`));
    const first = await call('GET', `/api/v1/admin/users?q=${prefix}&size=2`, { token: admin });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.total, 3);
    assert.deepEqual(
      first.body.items.map((user: { username: string }) => user.username),
      [`${prefix}c`, `${prefix}b`],
    );
    const newest = first.body.items[0];
    assert.deepEqual(
      { ...newest, createdAt: undefined },
      {
        userId: created[2]!.userId,
        username: `${prefix}c`,
        role: 'CUSTOMER',
        balance: '0.00',
        points: 0,
        banned: false,
        banReason: null,
        createdAt: undefined,
      },
    );
    assert.ok(Date.now() - Date.parse(newest.createdAt) < 60_000, newest.createdAt);
    const second = await call('GET', `/api/v1/admin/users?q=${prefix}&size=2&page=2`, { token: admin });
    assert.deepEqual([second.body.items.map((user: { username: string }) => user.username), second.body.total], [[`${prefix}a`], 3]);
    const everyone = await call('GET', '/api/v1/admin/users?size=100', { token: admin });
    assert.ok(everyone.body.total >= 4);
    const ids = everyone.body.items.map((user: { userId: string }) => BigInt(user.userId));
    assert.deepEqual(
      ids,
      [...ids].sort((a: bigint, b: bigint) => (a > b ? -1 : a < b ? 1 : 0)),
      'newest first',
    );

    expectError(await call('GET', '/api/v1/admin/users?size=101', { token: admin }), 400, 'INVALID_ARGUMENT', 'size 101');
    expectError(await call('GET', '/api/v1/admin/users?page=10001', { token: admin }), 400, 'INVALID_ARGUMENT', 'page 10001');
    expectError(await call('GET', '/api/v1/admin/users?page=0', { token: admin }), 400, 'INVALID_ARGUMENT', 'page 0');
    expectError(await call('GET', `/api/v1/admin/users?q=${'x'.repeat(33)}`, { token: admin }), 400, 'INVALID_ARGUMENT', 'query too long');
    expectError(await call('GET', '/api/v1/admin/users?role=ADMIN', { token: admin }), 400, 'INVALID_ARGUMENT', 'unknown parameter');
    expectError(await call('GET', '/api/v1/admin/users', { token: created[0]!.token }), 403, 'FORBIDDEN', 'a customer');
    expectError(await call('GET', `/api/v1/admin/users/${created[0]!.userId}`, { token: created[0]!.token }), 403, 'FORBIDDEN', "a customer's page");
    expectError(await call('GET', '/api/v1/admin/users/123456789012345678', { token: admin }), 404, 'NOT_FOUND', 'unknown user');
  });

  it('adjusts a balance up and down with a reason, once per key, each movement in user_money_log; the user page shows them with the coupons', async () => {
    const customer = await newCustomer(admin, { coupons: ['5.00'] });
    const added = await adjust(customer.userId, 'adj-up', { amount: '50.00', reason: 'compensation for a late parcel' });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual([added.body.userId, added.body.balance, added.body.banned], [customer.userId, '50.00', false]);
    const repeated = await adjust(customer.userId, 'adj-up', { amount: '50.00', reason: 'compensation for a late parcel' });
    assert.deepEqual([repeated.status, repeated.body.balance], [200, '50.00'], 'the same key: one movement');
    const taken = await adjust(customer.userId, 'adj-down', { amount: '-12.5', reason: 'refund paid twice' });
    assert.deepEqual([taken.status, taken.body.balance], [200, '37.50']);
    expectError(
      await adjust(customer.userId, 'adj-down', { amount: '-12.00', reason: 'refund paid twice' }),
      409,
      'IDEMPOTENCY_KEY_REUSED',
      'the key with another amount',
    );
    assert.equal(await state.balance(customer.userId), '37.50');
    assert.deepEqual(await state.moneyLog(customer.userId), [
      { type: 'ADJUST_ADD', ref: 'adj-up', amount: '50.00', operator_id: adminId, reason: 'compensation for a late parcel', balance_after: '50.00' },
      { type: 'ADJUST_TAKE', ref: 'adj-down', amount: '12.50', operator_id: adminId, reason: 'refund paid twice', balance_after: '37.50' },
    ]);

    const page = await call('GET', `/api/v1/admin/users/${customer.userId}`, { token: admin });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.balance, '37.50');
    assert.deepEqual(
      page.body.coupons.map((coupon: { couponId: string; amount: string; used: boolean }) => [coupon.couponId, coupon.amount, coupon.used]),
      [[customer.couponIds[0], '5.00', false]],
    );
    assert.deepEqual(
      page.body.adjustments.map((line: { amount: string; reason: string; operatorId: string; balanceAfter: string }) => [
        line.amount,
        line.reason,
        line.operatorId,
        line.balanceAfter,
      ]),
      [
        ['-12.50', 'refund paid twice', adminId, '37.50'],
        ['50.00', 'compensation for a late parcel', adminId, '50.00'],
      ],
    );
    assert.ok(page.body.adjustments.every((line: { createdAt: string }) => !Number.isNaN(Date.parse(line.createdAt))));

    // Refusals: no key, no reason, zero, a customer, an unknown user; none changes anything.
    expectError(await adjust(customer.userId, undefined, { amount: '1.00', reason: 'no key' }), 400, 'INVALID_ARGUMENT', 'no Idempotency-Key');
    expectError(await adjust(customer.userId, 'k-no-reason', { amount: '1.00' }), 400, 'INVALID_ARGUMENT', 'no reason');
    expectError(await adjust(customer.userId, 'k-empty-reason', { amount: '1.00', reason: '' }), 400, 'INVALID_ARGUMENT', 'an empty reason');
    expectError(await adjust(customer.userId, 'k-blank-reason', { amount: '1.00', reason: '   ' }), 400, 'INVALID_ARGUMENT', 'a blank reason');
    expectError(await adjust(customer.userId, 'k-long', { amount: '1.00', reason: 'x'.repeat(201) }), 400, 'INVALID_ARGUMENT', 'a reason of 201');
    expectError(await adjust(customer.userId, 'k-zero', { amount: '0.00', reason: 'nothing' }), 400, 'INVALID_ARGUMENT', 'zero');
    expectError(await adjust(customer.userId, 'k-number', { amount: 5, reason: 'a number' }), 400, 'INVALID_ARGUMENT', 'a JSON number');
    expectError(await adjust(customer.userId, 'k-customer', { amount: '1.00', reason: 'mine' }, customer.token), 403, 'FORBIDDEN', 'a customer');
    expectError(await adjust('123456789012345678', 'k-unknown', { amount: '1.00', reason: 'nobody' }), 404, 'NOT_FOUND', 'unknown user');
    assert.equal(await state.balance(customer.userId), '37.50');
    assert.equal((await state.moneyLog(customer.userId)).length, 2);
  });

  it('refuses an adjustment below zero and changes nothing; the key stays free', async () => {
    const customer = await newCustomer(admin, { balance: '10.00' });
    const before = await state.moneyLog(customer.userId);
    expectError(await adjust(customer.userId, 'too-much', { amount: '-10.01', reason: 'chargeback' }), 409, 'INSUFFICIENT_BALANCE', 'below zero');
    assert.equal(await state.balance(customer.userId), '10.00');
    assert.deepEqual(await state.moneyLog(customer.userId), before);
    const all = await adjust(customer.userId, 'too-much', { amount: '-10.00', reason: 'chargeback' });
    assert.deepEqual([all.status, all.body.balance], [200, '0.00']);
    assert.equal(await state.balance(customer.userId), '0.00');
  });

  it('bans a user: sign-in refused and the tokens they hold refused by both front doors; unbanned, they are back', async () => {
    const username = uniqueName('ban');
    const customer = await signUp(username);
    // Both front doors know the user in good standing (cached) before the ban.
    assert.equal((await call('GET', '/api/v1/me', { token: customer.token })).status, 200);
    assert.deepEqual(await payWebAsks(customer.token), { status: 404, code: 'NOT_FOUND' });

    const ban = (body: unknown) => call('POST', `/api/v1/admin/users/${customer.userId}/ban`, { token: admin, json: body });
    expectError(await ban({}), 400, 'INVALID_ARGUMENT', 'no reason');
    expectError(await ban({ reason: '' }), 400, 'INVALID_ARGUMENT', 'an empty reason');
    expectError(await ban({ reason: '  ' }), 400, 'INVALID_ARGUMENT', 'a blank reason');
    assert.equal((await state.ban(customer.userId)).banned_at, null);
    const banned = await ban({ reason: 'chargeback fraud' });
    assert.equal(banned.status, 200, JSON.stringify(banned.body));
    assert.deepEqual([banned.body.banned, banned.body.banReason], [true, 'chargeback fraud']);
    const columns = await state.ban(customer.userId);
    assert.ok(columns.banned_at instanceof Date);
    assert.deepEqual([columns.ban_reason, columns.banned_by], ['chargeback fraud', adminId]);
    assert.equal((await ban({ reason: 'again' })).body.banReason, 'chargeback fraud', 'a repeat changes nothing');

    expectError(await call('POST', '/api/v1/auth/login', { json: { username, password: 'password-123' } }), 403, 'USER_BANNED', 'sign-in');
    expectError(await call('POST', '/api/v1/auth/login', { json: { username, password: 'wrong-password' } }), 401, 'UNAUTHENTICATED', 'a wrong password');
    // order-web made the ban: it refuses the token at once; pay-web within its cache's few seconds.
    expectError(await call('GET', '/api/v1/me', { token: customer.token }), 403, 'USER_BANNED', 'an existing token at order-web');
    expectError(await call('GET', '/api/v1/addresses', { token: customer.token }), 403, 'USER_BANNED', 'the address book');
    const started = Date.now();
    await eventually(
      'pay-web refusing the token',
      () => payWebAsks(customer.token),
      (answer) => answer.status === 403,
    );
    assert.deepEqual(await payWebAsks(customer.token), { status: 403, code: 'USER_BANNED' });
    assert.ok(Date.now() - started < 10_000, `pay-web took ${Date.now() - started} ms`);
    const listed = await call('GET', `/api/v1/admin/users?q=${username}`, { token: admin });
    assert.deepEqual([listed.body.items[0].banned, listed.body.items[0].banReason], [true, 'chargeback fraud']);

    const unbanned = await call('POST', `/api/v1/admin/users/${customer.userId}/unban`, { token: admin, json: { reason: 'appeal accepted' } });
    assert.deepEqual([unbanned.status, unbanned.body.banned, unbanned.body.banReason], [200, false, null]);
    assert.deepEqual(await state.ban(customer.userId), { banned_at: null, ban_reason: null, banned_by: null });
    const again = await call('POST', '/api/v1/auth/login', { json: { username, password: 'password-123' } });
    assert.equal(again.status, 200);
    // The ban ended the sessions it found: the old token and its refresh token stay dead after the unban.
    expectError(await call('GET', '/api/v1/me', { token: customer.token }), 401, 'UNAUTHENTICATED', 'the token from before the ban');
    expectError(await call('POST', '/api/v1/auth/refresh', { json: { refreshToken: customer.refreshToken } }), 401, 'UNAUTHENTICATED', 'its refresh token');
    assert.equal((await call('GET', '/api/v1/me', { token: again.body.token })).status, 200, 'a new sign-in works');
    await eventually(
      'pay-web taking the new token',
      () => payWebAsks(again.body.token),
      (answer) => answer.status === 404,
    );
    // An unban without a body is fine too (and changes nothing now).
    assert.equal((await call('POST', `/api/v1/admin/users/${customer.userId}/unban`, { token: admin })).status, 200);
  });

  it('cannot ban an admin, nor ban from a customer account', async () => {
    expectError(await call('POST', `/api/v1/admin/users/${adminId}/ban`, { token: admin, json: { reason: 'locked out' } }), 409, 'USER_STATE', 'an admin');
    assert.equal((await state.ban(adminId)).banned_at, null);
    assert.equal((await call('GET', '/api/v1/me', { token: admin })).status, 200);
    const customer = await newCustomer(admin);
    const other = await newCustomer(admin);
    expectError(
      await call('POST', `/api/v1/admin/users/${other.userId}/ban`, { token: customer.token, json: { reason: 'spite' } }),
      403,
      'FORBIDDEN',
      'a customer banning',
    );
    expectError(
      await call('POST', '/api/v1/admin/users/123456789012345678/ban', { token: admin, json: { reason: 'ghost' } }),
      404,
      'NOT_FOUND',
      'unknown user',
    );
    assert.equal((await state.ban(other.userId)).banned_at, null);
  });
});
