/** Paying an order with a QR code of a channel (Alipay, WeChat Pay), the channels open for it, and reading a payment. */
import { byUser, documented, idString, limitedBy, object, params, principalOf, requireUser, type TokenService } from '@shop/common/http';
import { pay } from '@shop/proto';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from '../clients';
import { CHANNELS, channelsSchema, createdPaymentSchema, paymentSchema, paymentView, qrImageOf, type ChannelName } from '../views';

export function paymentRoutes(app: FastifyInstance, payments: PayClient, tokens: TokenService): void {
  const preHandler = requireUser(tokens);

  app.post<{ Body: { orderId: string; channel: ChannelName } }>(
    '/api/v1/payments',
    {
      preHandler: [preHandler, limitedBy({ name: 'paymentsPerUser', key: byUser })],
      schema: {
        ...documented('payments', 'Pay a confirmed order with a QR code of Alipay or WeChat Pay', {
          auth: true,
          status: 201,
          response: createdPaymentSchema,
          description:
            'One open payment per order: asking again with its channel returns the same one; another channel closes the first trade and opens a new payment (money that still lands on the first is refunded). The trade expires at the order’s pay deadline. 503 CHANNEL_UNAVAILABLE when the channel is down, switched off or above its amount limit: the message names the open ones (GET /api/v1/payments/channels).',
        }),
        body: object({ orderId: idString, channel: { type: 'string', enum: CHANNELS } }),
      },
    },
    async (request, reply) => {
      const created = await payments.createPayment({
        orderId: request.body.orderId,
        userId: principalOf(request).userId,
        channel: pay.channelFromJSON(request.body.channel),
      });
      return reply
        .status(201)
        .send({ ...paymentView(created), qrCode: created.qrCode, qrImage: await qrImageOf(created.qrCode), expiresAt: created.expiresAt });
    },
  );

  app.get<{ Querystring: { orderId: string } }>(
    '/api/v1/payments/channels',
    {
      preHandler,
      schema: {
        ...documented('payments', 'The channels and whether each is open for the order now', { auth: true, response: channelsSchema }),
        querystring: object({ orderId: idString }),
      },
    },
    async (request) => {
      const { channels } = await payments.listChannels({ orderId: request.query.orderId, userId: principalOf(request).userId });
      return { channels: channels.map((option) => ({ ...option, channel: pay.channelToJSON(option.channel) })) };
    },
  );

  app.get<{ Params: { paymentId: string } }>(
    '/api/v1/payments/:paymentId',
    { preHandler, schema: { ...documented('payments', 'One payment', { auth: true, response: paymentSchema }), params: params('paymentId') } },
    async (request) => paymentView(await payments.getPayment({ paymentId: request.params.paymentId, userId: principalOf(request).userId })),
  );
}
