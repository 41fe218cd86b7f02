import { type FastifyInstance } from 'fastify';
import { object, type TokenService } from '@shop/common';
import { user } from '@shop/proto';
import type { Services } from '../clients';

const credentials = object({
  username: { type: 'string', minLength: 1, maxLength: 64 },
  password: { type: 'string', minLength: 1, maxLength: 128 },
});

export function authRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  app.post<{ Body: { username: string; password: string } }>('/api/v1/auth/register', { schema: { body: credentials } }, async (request, reply) => {
    const created = await services.user.register({ ...request.body, role: user.Role.ROLE_CUSTOMER });
    return reply.status(201).send({ userId: created.userId });
  });

  app.post<{ Body: { username: string; password: string } }>('/api/v1/auth/login', { schema: { body: credentials } }, async (request) => {
    const found = await services.user.authenticate(request.body);
    const role = found.role === user.Role.ROLE_ADMIN ? 'ADMIN' : 'CUSTOMER';
    return { token: await tokens.sign({ userId: found.userId, username: found.username, role }), userId: found.userId, role };
  });
}
