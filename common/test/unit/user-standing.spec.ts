/** The users' standing cache and the bearer guard that asks it, with a fake lookup and clock. */
import assert from 'node:assert/strict';
import { AppError, ErrorCode } from '../../src/errors';
import { createHttpApp, requireUser } from '../../src/http/http-app';
import { DEVELOPMENT_JWT_SECRET } from '../../src/http/web-config';
import { TokenService } from '../../src/http/jwt';
import { UserStanding, type Standing } from '../../src/http/user-standing';
import { createLogger } from '../../src/log';

/** A lookup that answers from `banned`, counts its calls, and fails while `down`. */
function fakeUserService() {
  const service = {
    banned: new Set<string>(),
    versions: new Map<string, string>(),
    ended: new Map<string, string[]>(),
    calls: 0,
    down: false,
    lookup: async (userId: string): Promise<Standing | undefined> => {
      service.calls++;
      await new Promise((resolve) => setImmediate(resolve));
      if (service.down) throw new AppError(ErrorCode.UNAVAILABLE, 'no provider of the user service');
      if (userId === 'unknown') throw new AppError(ErrorCode.NOT_FOUND, 'user unknown not found');
      return { banned: service.banned.has(userId), tokenVersion: service.versions.get(userId) ?? '0', endedSessionIds: service.ended.get(userId) ?? [] };
    },
  };
  return service;
}

/** Whether the guard takes the user for banned (a token of a live session at version 0). */
const banned = async (standing: UserStanding, userId: string) => (await standing.verdict({ userId, sessionId: 's1', tokenVersion: '0' })) === 'banned';

describe('user standing (unit)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('asks once per user per ttl, one question for concurrent requests, and sees a ban after the ttl', async () => {
    const service = fakeUserService();
    const standing = new UserStanding(service.lookup, { ttlMs: 5_000, now: clock });
    assert.deepEqual(await Promise.all([banned(standing, '1'), banned(standing, '1'), banned(standing, '1')]), [false, false, false]);
    assert.equal(service.calls, 1);
    service.banned.add('1');
    now += 4_999;
    assert.equal(await banned(standing, '1'), false, 'the cached answer while fresh');
    assert.equal(service.calls, 1);
    now += 1;
    assert.equal(await banned(standing, '1'), true);
    assert.equal(service.calls, 2);
    standing.remember('1', true);
    now += 4_999;
    assert.equal(await banned(standing, '1'), true, 'a ban this process made counts at once');
    service.banned.delete('1');
    standing.remember('1', false);
    assert.equal(await banned(standing, '1'), false, 'after an unban here, the user is asked again');
    assert.equal(service.calls, 3);
  });

  it('keeps the last answer while the user service is down, lets unknown users pass, and forgets the oldest users first', async () => {
    const service = fakeUserService();
    const standing = new UserStanding(service.lookup, { ttlMs: 5_000, retryMs: 1_000, maxEntries: 2, now: clock, logger: createLogger('test', 'silent') });
    service.banned.add('banned');
    assert.equal(await banned(standing, 'banned'), true);
    service.down = true;
    now += 5_000;
    assert.equal(await banned(standing, 'banned'), true, 'a ban stands while the service cannot be asked');
    assert.equal(await banned(standing, 'never-seen'), false, 'a front door does not go down with the user service');
    const calls = service.calls;
    assert.equal(await banned(standing, 'banned'), true);
    assert.equal(service.calls, calls, 'asked again only after retryMs');
    service.down = false;
    assert.equal(await banned(standing, 'unknown'), false);
    // Three users in a cache of two: the least recently stored is asked again.
    now += 1_000;
    await banned(standing, 'a');
    await banned(standing, 'b');
    const before = service.calls;
    await banned(standing, 'b');
    assert.equal(service.calls, before);
    await banned(standing, 'unknown');
    assert.equal(service.calls, before + 1);
  });

  it("the bearer guard refuses a banned user's token (403 USER_BANNED), an ended session's and an old version's (401)", async function () {
    // Building the first fastify app of the process (its validator compiler) takes a second or two.
    this.timeout(30_000);
    const service = fakeUserService();
    const tokens = new TokenService(DEVELOPMENT_JWT_SECRET, 3600);
    const standing = new UserStanding(service.lookup);
    const app = createHttpApp({ logger: createLogger('test', 'silent'), standing });
    app.get('/who', { preHandler: requireUser(tokens) }, async (request) => ({ userId: request.principal!.userId }));
    service.banned.add('7');
    service.versions.set('8', '2');
    service.ended.set('8', ['s-ended']);
    const ask = async (userId: string, role: 'CUSTOMER' | 'ADMIN', sessionId = 's1', tokenVersion = '0') => {
      const token = await tokens.sign({ userId, username: `u${userId}`, role, sessionId, tokenVersion });
      const reply = await app.inject({ method: 'GET', url: '/who', headers: { authorization: `Bearer ${token}` } });
      return [reply.statusCode, reply.json().code ?? reply.json().userId];
    };
    assert.deepEqual(await ask('7', 'CUSTOMER'), [403, ErrorCode.USER_BANNED]);
    assert.deepEqual(await ask('8', 'CUSTOMER', 's1', '2'), [200, '8']);
    assert.deepEqual(await ask('8', 'CUSTOMER', 's1', '1'), [401, ErrorCode.UNAUTHENTICATED], 'signed before a password change');
    assert.deepEqual(await ask('8', 'CUSTOMER', 's-ended', '2'), [401, ErrorCode.UNAUTHENTICATED], 'a session that ended');
    assert.deepEqual(await ask('9', 'ADMIN'), [200, '9']);
    standing.rememberEnded('9', { sessionId: 's1' });
    assert.deepEqual(await ask('9', 'ADMIN'), [401, ErrorCode.UNAUTHENTICATED], "an admin's signed-out session, at once in the process that signed it out");
    await app.close();
  });
});
