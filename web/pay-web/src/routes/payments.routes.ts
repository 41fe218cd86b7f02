/** Paying an order with an Alipay QR code, and reading a payment. */
import { byUser, documented, idString, limitedBy, object, params, principalOf, requireUser, type TokenService } from '@shop/common/http';
import { pay } from '@shop/proto';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from '../clients';
import { createdPaymentSchema, paymentSchema, paymentView, qrImageOf } from '../views';

export function paymentRoutes(app: FastifyInstance, payments: PayClient, tokens: TokenService): void {
  const preHandler = requireUser(tokens);

  app.post<{ Body: { orderId: string; channel: 'ALIPAY_QR' } }>(
    '/api/v1/payments',
    {
      preHandler: [preHandler, limitedBy({ name: 'paymentsPerUser', key: byUser })],
      schema: {
        ...documented('payments', 'Pay a confirmed order with an Alipay QR code', {
          auth: true,
          status: 201,
          response: createdPaymentSchema,
          description: 'One payment per order: asking again returns the same one. The trade expires at the order’s pay deadline.',
        }),
        body: object({ orderId: idString, channel: { type: 'string', enum: ['ALIPAY_QR'] } }),
      },
    },
    async (request, reply) => {
      const created = await payments.createPayment({ orderId: request.body.orderId, userId: principalOf(request).userId, channel: pay.Channel.ALIPAY_QR });
      return reply
        .status(201)
        .send({ ...paymentView(created), qrCode: created.qrCode, qrImage: await qrImageOf(created.qrCode), expiresAt: created.expiresAt });
    },
  );

  app.get<{ Params: { paymentId: string } }>(
    '/api/v1/payments/:paymentId',
    { preHandler, schema: { ...documented('payments', 'One payment', { auth: true, response: paymentSchema }), params: params('paymentId') } },
    async (request) => paymentView(await payments.getPayment({ paymentId: request.params.paymentId, userId: principalOf(request).userId })),
  );
}
