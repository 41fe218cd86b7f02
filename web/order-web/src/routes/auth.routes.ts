import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '@shop/common/errors';
import { byIp, byUser, documented, failureLimit, limitedBy, object, principalOf, requireUser, type TokenService } from '@shop/common/http';
import { user } from '@shop/proto';
import type { Services } from '../clients';

/** Signing in takes any name (a wrong one is just wrong); signing up states the user service's rules. */
const credentials = object({
  username: { type: 'string', minLength: 1, maxLength: 64 },
  password: { type: 'string', minLength: 1, maxLength: 128 },
});
const newCredentials = object({
  username: { type: 'string', minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$', description: '3 to 32 letters, digits, "_", "." or "-"' },
  password: { type: 'string', minLength: 8, maxLength: 128 },
});

const registered = { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'] } as const;
const signedIn = {
  type: 'object',
  properties: {
    token: { type: 'string', description: 'access token (HS256 JWT) for `Authorization: Bearer`, valid `expiresIn` seconds' },
    expiresIn: { type: 'integer', description: 'seconds the access token is valid' },
    refreshToken: { type: 'string', description: 'gets new tokens at POST /api/v1/auth/refresh (once: each refresh answers a new one)' },
    refreshExpiresAt: { type: 'string', format: 'date-time', description: 'when the refresh token expires unless used' },
    userId: { type: 'string' },
    role: { type: 'string', enum: ['CUSTOMER', 'ADMIN'] },
  },
  required: ['token', 'expiresIn', 'refreshToken', 'refreshExpiresAt', 'userId', 'role'],
} as const;
const refreshBody = object({ refreshToken: { type: 'string', minLength: 1, maxLength: 200 } });
const passwordBody = object({
  currentPassword: { type: 'string', minLength: 1, maxLength: 128 },
  newPassword: { type: 'string', minLength: 8, maxLength: 128 },
});

/** The tokens of a session the user service started or refreshed. */
async function sessionTokens(tokens: TokenService, session: user.Session) {
  const found = session.user!;
  const role = found.role === user.Role.ROLE_ADMIN ? 'ADMIN' : 'CUSTOMER';
  const token = await tokens.sign({ userId: found.userId, username: found.username, role, sessionId: session.sessionId, tokenVersion: session.tokenVersion });
  return { token, expiresIn: tokens.ttlSeconds, refreshToken: session.refreshToken, refreshExpiresAt: session.refreshExpiresAt, userId: found.userId, role };
}

/** Wrong passwords of one account, counted wherever they come from (docs/security.md). */
const wrongPasswords = failureLimit({
  name: 'loginFailuresPerAccount',
  key: (request) => (request.body as { username?: string } | undefined)?.username?.toLowerCase(),
});

export function authRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/register',
    {
      preHandler: limitedBy({ name: 'signupPerIp', key: byIp }),
      schema: {
        ...documented('auth', 'Sign up as a customer', {
          status: 201,
          response: registered,
          description: 'At most RATE_LIMIT_SIGNUP_PER_IP sign-ups per address (10 an hour by default): 429 RATE_LIMITED with Retry-After beyond it.',
        }),
        body: newCredentials,
      },
    },
    async (request, reply) => {
      const created = await services.user.register({ ...request.body, role: user.Role.ROLE_CUSTOMER });
      return reply.status(201).send({ userId: created.userId });
    },
  );

  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/login',
    {
      preHandler: [limitedBy({ name: 'loginPerIp', key: byIp }), wrongPasswords.check],
      schema: {
        ...documented('auth', 'Sign in: a bearer token for the other routes', {
          response: signedIn,
          description:
            'Limited per address (30 attempts a minute by default) and per account (after 5 wrong passwords in 5 minutes the account is refused, right password or not, until the window ends): 429 RATE_LIMITED with Retry-After.',
        }),
        body: credentials,
      },
    },
    async (request) => {
      const found = await services.user.authenticate(request.body).catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED) await wrongPasswords.failed(request);
        throw error;
      });
      return sessionTokens(tokens, await services.user.startSession({ userId: found.userId }));
    },
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/api/v1/auth/refresh',
    {
      preHandler: limitedBy({ name: 'loginPerIp', key: byIp }),
      schema: {
        ...documented('auth', 'New tokens for a session: the refresh token given last is spent', {
          response: signedIn,
          description:
            'Answers a new access token and a new refresh token; the one sent stops working. A refresh token presented again after it was spent ends its session (someone else holds it). 401 UNAUTHENTICATED for an ended, expired or unknown session, and after a password change or a ban.',
        }),
        body: refreshBody,
      },
    },
    async (request) => sessionTokens(tokens, await services.user.refreshSession({ refreshToken: request.body.refreshToken })),
  );

  const signedInUser = requireUser(tokens);
  app.post(
    '/api/v1/auth/logout',
    {
      preHandler: signedInUser,
      schema: documented('auth', 'Sign out: the session ends, its access and refresh tokens stop working', {
        auth: true,
        status: 204,
        response: { type: 'null', description: 'signed out' },
        description: "The other sessions of the user (other devices) go on. Every front door refuses the session's access token within seconds.",
      }),
    },
    async (request, reply) => {
      const { userId, sessionId } = principalOf(request);
      await services.user.endSession({ userId, sessionId });
      request.server.userStanding?.rememberEnded(userId, { sessionId });
      return reply.status(204).send();
    },
  );

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/v1/me/password',
    {
      preHandler: [signedInUser, limitedBy({ name: 'loginPerIp', key: byIp }), limitedBy({ name: 'loginFailuresPerAccount', key: byUser })],
      schema: {
        ...documented('auth', 'Change the password: every other session ends; this one goes on with new tokens', {
          auth: true,
          response: signedIn,
          description:
            '401 UNAUTHENTICATED when the current password is wrong. Every access token issued before stops working at every front door within seconds.',
        }),
        body: passwordBody,
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const session = await services.user.changePassword({ userId, ...request.body });
      request.server.userStanding?.rememberEnded(userId, { tokenVersion: session.tokenVersion });
      return sessionTokens(tokens, session);
    },
  );
}
