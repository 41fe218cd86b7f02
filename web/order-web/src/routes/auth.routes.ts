import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '@shop/common/errors';
import { byIp, documented, failureLimit, limitedBy, object, type TokenService } from '@shop/common/http';
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
    token: { type: 'string', description: 'bearer token (HS256 JWT)' },
    userId: { type: 'string' },
    role: { type: 'string', enum: ['CUSTOMER', 'ADMIN'] },
  },
  required: ['token', 'userId', 'role'],
} as const;

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
      const role = found.role === user.Role.ROLE_ADMIN ? 'ADMIN' : 'CUSTOMER';
      return { token: await tokens.sign({ userId: found.userId, username: found.username, role }), userId: found.userId, role };
    },
  );
}
