/** Admin operations: reconciliation of a day against Alipay's bill. */
import { documented, object, requireAdmin, requireUser, type TokenService } from '@shop/common/http';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from '../clients';
import { reconciliationSchema } from '../views';

export function adminRoutes(app: FastifyInstance, payments: PayClient, tokens: TokenService): void {
  const preHandler = requireUser(tokens);

  app.get<{ Querystring: { date: string } }>(
    '/api/v1/admin/reconciliation',
    {
      preHandler: [preHandler, requireAdmin],
      schema: {
        ...documented('admin', "Reconcile a day's payments against Alipay's bill", {
          auth: true,
          response: reconciliationSchema,
          description: 'Admins only (403 FORBIDDEN otherwise). The day is a China (UTC+8) date, as in Alipay’s bill.',
        }),
        querystring: object({ date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } }),
      },
    },
    async (request) => payments.reconcile({ date: request.query.date }),
  );
}
