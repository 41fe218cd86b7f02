import type { FastifyInstance } from 'fastify';
import {
  documented,
  idempotencyHeaders,
  moneyString,
  object,
  pageQuery,
  params,
  principalOf,
  requireAdmin,
  requireUser,
  type TokenService,
} from '@shop/common/http';
import { order } from '@shop/proto';
import type { Services } from '../clients';
import { AFTER_SALES_STATUSES, afterSalesSchema, afterSalesView, pageOf } from '../views';

const toProtoStatus = (status: string | undefined) =>
  status ? order.afterSalesStatusFromJSON(`AFTER_SALES_${status}`) : order.AfterSalesStatus.AFTER_SALES_STATUS_UNSPECIFIED;

/**
 * After shipment a customer asks for a refund with an after-sales request; an admin approves it
 * (the pay service refunds it) or rejects it. Rules: docs/api.md, "Refunds and after-sales".
 */
export function afterSalesRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const user = requireUser(tokens);
  const admin = [user, requireAdmin];

  app.post<{ Params: { orderId: string }; Body: { reason: string; amount?: string }; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/orders/:orderId/after-sales',
    {
      preHandler: user,
      schema: {
        ...documented('after-sales', 'Ask for a refund of a shipped or completed order', {
          auth: true,
          status: 201,
          response: afterSalesSchema,
          description:
            'For SHIPPED orders, and COMPLETED ones within ORDER_AFTER_SALES_DAYS (default 7) of completion. Without an amount, asks for everything left. One request of an order at a time (409 REFUND_IN_PROGRESS). A PAID order is refunded directly at pay-web instead (409 ORDER_STATE). The same Idempotency-Key answers the same request (409 IDEMPOTENCY_KEY_REUSED for another body).',
        }),
        params: params('orderId'),
        headers: idempotencyHeaders,
        body: object({ reason: { type: 'string', minLength: 1, maxLength: 200 }, amount: moneyString }, ['reason']),
      },
    },
    async (request, reply) => {
      const opened = await services.order.openAfterSales({
        orderId: request.params.orderId,
        userId: principalOf(request).userId,
        reason: request.body.reason,
        amount: request.body.amount ?? '',
        idempotencyKey: request.headers['idempotency-key'] ?? '',
      });
      return reply.status(201).send(afterSalesView(opened));
    },
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId/after-sales',
    {
      preHandler: user,
      schema: {
        ...documented('after-sales', "An order's after-sales requests, newest first", { auth: true, response: pageOf(afterSalesSchema) }),
        params: params('orderId'),
      },
    },
    async (request) => {
      const { items, total } = await services.order.listAfterSales({
        orderId: request.params.orderId,
        userId: principalOf(request).userId,
        status: order.AfterSalesStatus.AFTER_SALES_STATUS_UNSPECIFIED,
        page: 1,
        size: 100,
      });
      return { items: items.map(afterSalesView), total };
    },
  );

  app.get<{ Querystring: { status?: string; page?: string; size?: string } }>(
    '/api/v1/admin/after-sales',
    {
      preHandler: admin,
      schema: {
        ...documented('admin', 'After-sales requests of every order, newest first', {
          auth: true,
          response: pageOf(afterSalesSchema),
          description: 'Admins only (403 FORBIDDEN otherwise).',
        }),
        querystring: object({ status: { type: 'string', enum: AFTER_SALES_STATUSES }, page: pageQuery, size: pageQuery }, []),
      },
    },
    async (request) => {
      const { items, total } = await services.order.listAfterSales({
        orderId: '',
        userId: '',
        status: toProtoStatus(request.query.status),
        page: Number(request.query.page ?? 1),
        size: Number(request.query.size ?? 20),
      });
      return { items: items.map(afterSalesView), total };
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { afterSalesId: string }; Body: { note?: string } | undefined }>(
      `/api/v1/admin/after-sales/:afterSalesId/${decision}`,
      {
        preHandler: admin,
        schema: {
          ...documented('admin', decision === 'approve' ? 'Approve an after-sales request: its refund is carried out' : 'Reject an after-sales request', {
            auth: true,
            response: afterSalesSchema,
            description:
              'Admins only (403 FORBIDDEN otherwise). Only an OPEN request can be decided (409 AFTER_SALES_STATE); deciding the same way again answers it as it is.',
          }),
          params: params('afterSalesId'),
          body: { anyOf: [{ type: 'null' }, object({ note: { type: 'string', maxLength: 200 } }, [])] },
        },
      },
      async (request) =>
        afterSalesView(
          await services.order.decideAfterSales({
            afterSalesId: request.params.afterSalesId,
            operatorId: principalOf(request).userId,
            approve: decision === 'approve',
            note: request.body?.note ?? '',
          }),
        ),
    );
  }
}
