import type { FastifyInstance } from 'fastify';
import {
  calendarDate,
  documented,
  idempotencyHeaders,
  idString,
  moneyString,
  object,
  pageQuery,
  params,
  principalOf,
  requireAdmin,
  requireUser,
  type TokenService,
} from '@shop/common/http';
import { recentDays } from '@shop/contracts';
import { order } from '@shop/proto';
import type { Services } from '../clients';
import { dayStatsSchema, ORDER_STATUSES, orderDetailSchema, orderDetailView, orderSchema, orderView, pageOf } from '../views';

const created = (name: string) => ({ type: 'object', properties: { [name]: { type: 'string' } }, required: [name] }) as const;
const admin = (summary: string, response: object, status = 200) =>
  documented('admin', summary, { auth: true, response, status, description: 'Admins only (403 FORBIDDEN otherwise).' });

export function adminRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const preHandler = [requireUser(tokens), requireAdmin];

  app.post<{ Params: { userId: string }; Body: { amount: string }; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/admin/users/:userId/balance',
    {
      preHandler,
      schema: {
        ...admin("Add to a user's balance", {
          type: 'object',
          properties: { userId: { type: 'string' }, balance: moneyString },
          required: ['userId', 'balance'],
        }),
        params: params('userId'),
        headers: idempotencyHeaders,
        body: object({ amount: moneyString }),
      },
    },
    async (request) => {
      const user = await services.user.recharge({
        requestId: request.headers['idempotency-key'] ?? '',
        userId: request.params.userId,
        amount: request.body.amount,
      });
      return { userId: user.userId, balance: user.balance };
    },
  );

  app.post<{ Params: { userId: string }; Body: { amount: string }; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/admin/users/:userId/coupons',
    {
      preHandler,
      schema: {
        ...admin('Grant a user a coupon of this amount', created('couponId'), 201),
        params: params('userId'),
        headers: idempotencyHeaders,
        body: object({ amount: moneyString }),
      },
    },
    async (request, reply) => {
      // A coupon for a user that does not exist would be lost: NOT_FOUND instead.
      await services.user.getUser({ userId: request.params.userId });
      const coupon = await services.coupon.grantCoupon({
        requestId: request.headers['idempotency-key'] ?? '',
        userId: request.params.userId,
        amount: request.body.amount,
      });
      return reply.status(201).send({ couponId: coupon.couponId });
    },
  );

  app.get<{ Querystring: { status?: string; userId?: string; from?: string; to?: string; page?: string; size?: string } }>(
    '/api/v1/admin/orders',
    {
      preHandler,
      schema: {
        ...admin("Every user's orders, newest first, with the attempts refused at placement (refusedAtPlacement)", pageOf(orderSchema)),
        querystring: object(
          {
            status: { type: 'string', enum: [...ORDER_STATUSES] },
            userId: idString,
            from: { type: 'string', format: 'date-time', description: 'created at or after' },
            to: { type: 'string', format: 'date-time', description: 'created before' },
            page: pageQuery,
            size: pageQuery,
          },
          [],
        ),
      },
    },
    async (request) => {
      const { status, userId, from, to, page, size } = request.query;
      const { orders, total } = await services.order.listOrders({
        userId: userId ?? '',
        status: status ? order.orderStatusFromJSON(status) : order.OrderStatus.ORDER_STATUS_UNSPECIFIED,
        page: Number(page ?? 1),
        size: Number(size ?? 20),
        includeRefused: true,
        createdFrom: from ?? '',
        createdTo: to ?? '',
      });
      return { items: orders.map(orderView), total };
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/v1/admin/stats/orders',
    {
      preHandler,
      schema: {
        ...admin('Orders and money per UTC day (the dashboard); the last 30 days by default', dayStatsSchema),
        querystring: object({ from: calendarDate, to: calendarDate }, []),
      },
    },
    async (request) => {
      const { days } = await services.order.orderStats({ ...recentDays(30), ...request.query });
      return { days };
    },
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/admin/orders/:orderId',
    { preHandler, schema: { ...admin("Any user's order with its status history", orderDetailSchema), params: params('orderId') } },
    async (request) => orderDetailView(await services.order.getOrder({ orderId: request.params.orderId, userId: '' })),
  );

  app.post<{ Params: { orderId: string }; Body: { reason?: string } | undefined }>(
    '/api/v1/admin/orders/:orderId/cancel',
    {
      preHandler,
      schema: {
        ...admin("Cancel any user's unpaid order (everything it took is given back; the reason is shown to the customer)", orderDetailSchema),
        params: params('orderId'),
        body: { anyOf: [{ type: 'null' }, object({ reason: { type: 'string', maxLength: 200 } }, [])] },
      },
    },
    async (request) =>
      orderDetailView(
        await services.order.cancelOrder({
          orderId: request.params.orderId,
          userId: '',
          reason: request.body?.reason ?? '',
          operatorId: principalOf(request).userId,
        }),
      ),
  );

  app.post<{ Params: { orderId: string } }>(
    '/api/v1/admin/orders/:orderId/ship',
    { preHandler, schema: { ...admin('Ship a paid order (PAID -> SHIPPED)', orderDetailSchema), params: params('orderId') } },
    async (request) => orderDetailView(await services.order.shipOrder({ orderId: request.params.orderId, operatorId: principalOf(request).userId })),
  );
}
