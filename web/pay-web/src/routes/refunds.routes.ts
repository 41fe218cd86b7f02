/** Refunds of a paid order by its customer, and the list of an order's refunds. */
import {
  byUser,
  documented,
  idempotencyHeaders,
  idString,
  limitedBy,
  moneyString,
  object,
  params,
  principalOf,
  requireUser,
  type TokenService,
} from '@shop/common/http';
import { faultCallOptions, MAX_LINES, MAX_QUANTITY } from '@shop/contracts';
import { pay } from '@shop/proto';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from '../clients';
import { refundSchema, refundView } from '../views';

export function refundRoutes(app: FastifyInstance, payments: PayClient, tokens: TokenService, faultInjection: boolean): void {
  const preHandler = requireUser(tokens);

  app.post<{
    Params: { orderId: string };
    Body: { amount?: string; reason: string; items?: { goodsId: string; quantity: number }[] };
    Headers: { 'idempotency-key'?: string };
  }>(
    '/api/v1/orders/:orderId/refund',
    {
      preHandler: [preHandler, limitedBy({ name: 'refundsPerUser', key: byUser })],
      schema: {
        ...documented('refunds', 'Refund a paid order (not shipped), in full or in part', {
          auth: true,
          status: 201,
          response: refundSchema,
          description:
            'Without an amount, refunds everything left. The Alipay part goes back first, then the balance; points go back; the stock of the `items` named (of every line, for a full refund) and, for a full refund, the coupon. Answers 201 once it SUCCEEDED (or FAILED: Alipay refused it, see failureReason), 202 while it is PENDING (a step must wait; the shop finishes it). After shipment: 409 ORDER_STATE (open an after-sales request at order-web). One refund of an order at a time (409 REFUND_IN_PROGRESS). The same Idempotency-Key answers the same refund (409 IDEMPOTENCY_KEY_REUSED for another body); without one, every request is a new refund.',
        }),
        params: params('orderId'),
        headers: idempotencyHeaders,
        body: object(
          {
            amount: moneyString,
            reason: { type: 'string', minLength: 1, maxLength: 200 },
            items: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_LINES,
              items: object({ goodsId: idString, quantity: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY } }),
            },
          },
          ['reason'],
        ),
      },
    },
    async (request, reply) => {
      const refund = await payments.requestRefund(
        {
          requestId: request.headers['idempotency-key'] ?? '',
          orderId: request.params.orderId,
          userId: principalOf(request).userId,
          amount: request.body.amount ?? '',
          reason: request.body.reason,
          items: request.body.items ?? [],
        },
        faultCallOptions(request.headers, faultInjection),
      );
      return reply.status(refund.status === pay.RefundStatus.REFUND_PENDING ? 202 : 201).send(refundView(refund));
    },
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId/refunds',
    {
      preHandler,
      schema: {
        ...documented('refunds', "An order's refunds, oldest first", {
          auth: true,
          response: { type: 'object', properties: { items: { type: 'array', items: refundSchema } }, required: ['items'] },
        }),
        params: params('orderId'),
      },
    },
    async (request) => ({
      items: (
        await payments.listRefunds({
          orderId: request.params.orderId,
          userId: principalOf(request).userId,
          status: pay.RefundStatus.REFUND_STATUS_UNSPECIFIED,
          page: 0,
          size: 0,
        })
      ).refunds.map(refundView),
    }),
  );
}
