/**
 * Revocable sessions against the running system: a sign-in is a session with a refresh token
 * (rotated at each use; a spent one presented again ends the session), a sign-out ends its
 * session at both front doors within seconds while the user's other sessions go on, and a
 * password change ends every other session and every token signed before it.
 */
import assert from 'node:assert/strict';
import { call, uniqueName, type Reply } from './support/shop-api';
import { SystemState } from './support/system-state';

const PAY_WEB_URL = `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`;
const PASSWORD = 'password-123';

interface Tokens {
  token: string;
  refreshToken: string;
  userId: string;
}

/** A payment id nobody has: pay-web answers 404 to a live session, 401 to an ended one. */
async function payWebStatus(token: string): Promise<number> {
  const response = await fetch(`${PAY_WEB_URL}/api/v1/payments/123456789012345678`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

/** Waits (at most a minute: the acceptance) until `check` holds; answers the seconds it took. */
async function within(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > 60_000) assert.fail(`${what}: not after a minute`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return (Date.now() - started) / 1_000;
}

const signIn = async (username: string, password = PASSWORD): Promise<Tokens> => {
  const reply = await call('POST', '/api/v1/auth/login', { json: { username, password } });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(reply.body.refreshToken && reply.body.expiresIn > 0, 'a refresh token and the access token lifetime');
  return reply.body;
};
const me = (token: string) => call('GET', '/api/v1/me', { token });
const refresh = (refreshToken: string) => call('POST', '/api/v1/auth/refresh', { json: { refreshToken } });
const expectRefused = (reply: Reply, what: string) => {
  assert.equal(reply.status, 401, `${what}: ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body.code, 'UNAUTHENTICATED', what);
};

describe('sessions: refresh, sign-out, password change', function () {
  this.timeout(120_000);
  let state: SystemState;
  let username: string;

  before(async () => {
    state = await SystemState.open();
  });
  after(() => state.close());
  beforeEach(async () => {
    username = uniqueName('sess');
    assert.equal((await call('POST', '/api/v1/auth/register', { json: { username, password: PASSWORD } })).status, 201);
  });

  it('a refresh answers new tokens and spends the old refresh token; presenting the spent one again ends the session', async () => {
    const first = await signIn(username);
    const renewed = await refresh(first.refreshToken);
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.notEqual(renewed.body.refreshToken, first.refreshToken);
    assert.equal((await me(renewed.body.token)).status, 200);

    // The spent token again: someone else holds the session, so it ends for both.
    expectRefused(await refresh(first.refreshToken), 'the spent refresh token');
    expectRefused(await refresh(renewed.body.refreshToken), 'the newest refresh token of the ended session');
    await within('order-web refusing the access token of the ended session', async () => (await me(renewed.body.token)).status === 401);
    expectRefused(await refresh('123.not-a-session'), 'a made-up refresh token');
  });

  it('sign-out ends that session at both front doors within a minute; the user’s other session goes on', async () => {
    const phone = await signIn(username);
    const laptop = await signIn(username);
    assert.equal(await payWebStatus(phone.token), 404, 'pay-web knows the session before the sign-out');
    const out = await call('POST', '/api/v1/auth/logout', { token: phone.token });
    assert.equal(out.status, 204, JSON.stringify(out.body));

    expectRefused(await me(phone.token), 'the signed-out token at order-web (at once: it made the change)');
    const seconds = await within('pay-web refusing the signed-out token', async () => (await payWebStatus(phone.token)) === 401);
    assert.ok(seconds < 60, `${seconds} s`);
    expectRefused(await refresh(phone.refreshToken), 'the signed-out refresh token');
    assert.equal((await me(laptop.token)).status, 200, 'the other session goes on');
    assert.equal(await payWebStatus(laptop.token), 404);
    assert.equal((await refresh(laptop.refreshToken)).status, 200);
    expectRefused(await call('POST', '/api/v1/auth/logout', { token: phone.token }), 'signing out twice');
  });

  it('a password change needs the current password, then ends every other session and every older token', async () => {
    const here = await signIn(username);
    const elsewhere = await signIn(username);
    const wrong = await call('POST', '/api/v1/me/password', { token: here.token, json: { currentPassword: 'not-it', newPassword: 'a-new-password' } });
    expectRefused(wrong, 'a wrong current password');
    assert.equal((await me(elsewhere.token)).status, 200, 'a refused change ends nothing');
    const short = await call('POST', '/api/v1/me/password', { token: here.token, json: { currentPassword: PASSWORD, newPassword: 'short' } });
    assert.equal(short.status, 400);

    const changed = await call('POST', '/api/v1/me/password', { token: here.token, json: { currentPassword: PASSWORD, newPassword: 'a-new-password' } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await me(changed.body.token)).status, 200, 'this session goes on with its new tokens');
    expectRefused(await me(here.token), 'the token signed before the change, at order-web');
    await within('the other session refused at pay-web', async () => (await payWebStatus(elsewhere.token)) === 401);
    expectRefused(await me(elsewhere.token), 'the other session at order-web');
    expectRefused(await refresh(elsewhere.refreshToken), "the other session's refresh token");
    expectRefused(await refresh(here.refreshToken), 'the refresh token from before the change');
    assert.equal((await refresh(changed.body.refreshToken)).status, 200);

    assert.equal((await call('POST', '/api/v1/auth/login', { json: { username, password: PASSWORD } })).status, 401, 'the old password');
    await signIn(username, 'a-new-password');
    const row = await state.sessionsOf(here.userId);
    assert.deepEqual(
      row.map((session) => session.end_reason).sort(),
      ['password-change', 'password-change', null, null].sort(),
      'the two sessions before the change ended by it; the one it started and the new sign-in live',
    );
  });
});
