/** Alipay's asynchronous notifications: no token, the pay service verifies the signature. */
import { documented } from '@shop/common/http';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from '../clients';

export function notifyRoutes(app: FastifyInstance, payments: PayClient): void {
  // From Alipay: a form, answered with the bare text it expects. Anything unverifiable: "failure".
  app.post<{ Body: unknown }>(
    '/api/v1/notify/alipay',
    {
      schema: documented('alipay', "Alipay's asynchronous notification (trade_status_sync)", {
        description:
          'A signed application/x-www-form-urlencoded form from Alipay. Answers the bare text `success` once applied (or already applied), `failure` for anything unverifiable; Alipay retries until `success`.',
        consumes: ['application/x-www-form-urlencoded'],
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const valid = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.values(body).every((value) => typeof value === 'string');
      const answer = valid ? (await payments.handleAlipayNotify({ fields: body as Record<string, string> })).reply : 'failure';
      return reply.type('text/plain').send(answer);
    },
  );
}
