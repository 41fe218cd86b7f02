/**
 * A burst of sign-ins: password hashing is bounded (two at a time, 32 waiting), so the ones
 * beyond are refused at once with 503 UNAVAILABLE and Retry-After, never left to time out, and
 * the others sign in.
 */
import assert from 'node:assert/strict';
import { BASE_URL, call, uniqueName } from './support/shop-api';

describe('sign-in burst', function () {
  this.timeout(60_000);

  it('signs in what it can and refuses the rest at once with 503 UNAVAILABLE and Retry-After', async () => {
    const username = uniqueName('burst');
    assert.equal((await call('POST', '/api/v1/auth/register', { json: { username, password: 'password-123' } })).status, 201);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 150 }, async () => {
        const response = await fetch(`${BASE_URL}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'password-123' }),
        });
        const body = (await response.json()) as { code?: string; token?: string };
        return { status: response.status, code: body.code, token: body.token, retryAfter: response.headers.get('retry-after') };
      }),
    );
    const signedIn = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 503);
    assert.equal(
      signedIn.length + refused.length,
      answers.length,
      `only 200 and 503: ${JSON.stringify(answers.filter((a) => a.status !== 200 && a.status !== 503).slice(0, 3))}`,
    );
    assert.ok(signedIn.length >= 2 && signedIn.every((a) => a.token), 'some signed in');
    assert.ok(refused.length > 0, 'some refused: the queue is bounded');
    assert.ok(
      refused.every((a) => a.code === 'UNAVAILABLE' && a.retryAfter === '1'),
      'refused with a code and Retry-After',
    );
    assert.ok(Date.now() - started < 20_000, 'nobody waited for a deadline');
    // And the shop signs in again right after.
    const again = await call('POST', '/api/v1/auth/login', { json: { username, password: 'password-123' } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });
});
