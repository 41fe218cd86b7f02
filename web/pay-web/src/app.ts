/** pay-web's HTTP app: payments, Alipay's notifications, refunds, reconciliation. */
import { createHttpApp, createRpcClient, idempotencyHeaders, idString, moneyString, object, params, payContract, principalOf, requireAdmin, requireUser, type Logger, type RpcClient, type TokenService, type ZkRegistry } from '@shop/common';
import { pay } from '@shop/proto';
import type { FastifyInstance } from 'fastify';

export type PayClient = RpcClient<typeof payContract.definition>;

export function connectPay(registry: ZkRegistry, logger: Logger): Promise<PayClient> {
  return createRpcClient(payContract, { application: 'pay-web', registry, logger });
}


const paymentView = (p: pay.Payment) => ({ paymentId: p.paymentId, orderId: p.orderId, amount: p.amount, status: pay.paymentStatusToJSON(p.status) });

export function buildPayWeb(deps: { payments: PayClient; tokens: TokenService; logger: Logger }): FastifyInstance {
  const { payments, tokens, logger } = deps;
  const app = createHttpApp({ logger, forms: true });
  const preHandler = requireUser(tokens);

  app.post<{ Body: { orderId: string; channel: 'ALIPAY_QR' } }>(
    '/api/v1/payments',
    { preHandler, schema: { body: object({ orderId: idString, channel: { type: 'string', enum: ['ALIPAY_QR'] } }) } },
    async (request, reply) => {
      const created = await payments.createPayment({ orderId: request.body.orderId, userId: principalOf(request).userId, channel: pay.Channel.ALIPAY_QR });
      return reply.status(201).send({ ...paymentView(created), qrCode: created.qrCode, expiresAt: created.expiresAt });
    },
  );

  app.get<{ Params: { paymentId: string } }>('/api/v1/payments/:paymentId', { preHandler, schema: { params: params('paymentId') } }, async (request) =>
    paymentView(await payments.getPayment({ paymentId: request.params.paymentId, userId: principalOf(request).userId })),
  );

  // From Alipay: a form, answered with the bare text it expects. Anything unverifiable: "failure".
  app.post<{ Body: unknown }>('/api/v1/notify/alipay', async (request, reply) => {
    const body = request.body;
    const valid = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.values(body).every((value) => typeof value === 'string');
    const answer = valid ? (await payments.handleAlipayNotify({ fields: body as Record<string, string> })).reply : 'failure';
    return reply.type('text/plain').send(answer);
  });

  app.post<{ Params: { orderId: string }; Body: { amount?: string; reason: string }; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/orders/:orderId/refund',
    {
      preHandler,
      schema: {
        params: params('orderId'),
        headers: idempotencyHeaders,
        body: object({ amount: moneyString, reason: { type: 'string', minLength: 1, maxLength: 200 } }, ['reason']),
      },
    },
    async (request, reply) => {
      const result = await payments.refund({
        requestId: request.headers['idempotency-key'] ?? '',
        orderId: request.params.orderId,
        userId: principalOf(request).userId,
        amount: request.body.amount ?? '',
        reason: request.body.reason,
      });
      return reply.status(201).send(result);
    },
  );

  app.get<{ Querystring: { date: string } }>(
    '/api/v1/admin/reconciliation',
    { preHandler: [preHandler, requireAdmin], schema: { querystring: object({ date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } }) } },
    async (request) => payments.reconcile({ date: request.query.date }),
  );

  return app;
}
