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
import {
  adjustmentView,
  adminUserDetailSchema,
  adminUserSchema,
  adminUserView,
  couponView,
  dayStatsSchema,
  ORDER_STATUSES,
  orderDetailSchema,
  orderDetailView,
  orderSchema,
  orderView,
  pageOf,
} from '../views';

/** A signed amount of money (the service refuses zero). */
const SIGNED_AMOUNT = '^-?(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$';
const created = (name: string) => ({ type: 'object', properties: { [name]: { type: 'string' } }, required: [name] }) as const;
const admin = (summary: string, response: object, status = 200) =>
  documented('admin', summary, { auth: true, response, status, description: 'Admins only (403 FORBIDDEN otherwise).' });

export function adminRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const preHandler = [requireUser(tokens), requireAdmin];

  app.get<{ Querystring: { q?: string; page?: string; size?: string } }>(
    '/api/v1/admin/users',
    {
      preHandler,
      schema: {
        ...admin('Users, newest first; q searches the usernames', pageOf(adminUserSchema)),
        querystring: object({ q: { type: 'string', maxLength: 32 }, page: pageQuery, size: pageQuery }, []),
      },
    },
    async (request) => {
      const { q, page, size } = request.query;
      const { items, total } = await services.user.listUsers({ query: q ?? '', page: Number(page ?? 1), size: Number(size ?? 20) });
      return { items: items.map(adminUserView), total };
    },
  );

  app.get<{ Params: { userId: string } }>(
    '/api/v1/admin/users/:userId',
    {
      preHandler,
      schema: { ...admin('A user with their coupons and their balance adjustments', adminUserDetailSchema), params: params('userId') },
    },
    async (request) => {
      const { userId } = request.params;
      const [found, { coupons }, { items }] = await Promise.all([
        services.user.getUser({ userId }),
        services.coupon.listUserCoupons({ userId }),
        services.user.listAdjustments({ userId }),
      ]);
      return { ...adminUserView(found), coupons: coupons.map(couponView), adjustments: items.map(adjustmentView) };
    },
  );

  app.post<{ Params: { userId: string }; Body: { amount: string; reason: string }; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/admin/users/:userId/balance',
    {
      preHandler,
      schema: {
        ...documented('admin', "Adjust a user's balance: add (positive) or take (negative), with a reason", {
          auth: true,
          response: adminUserSchema,
          description:
            'Admins only (403 FORBIDDEN otherwise). Once per Idempotency-Key (required: 400 INVALID_ARGUMENT without it): the same key answers the user as they are; with another amount or reason, 409 IDEMPOTENCY_KEY_REUSED. Never below zero: 409 INSUFFICIENT_BALANCE, nothing changed.',
        }),
        params: params('userId'),
        headers: { ...idempotencyHeaders, required: ['idempotency-key'] },
        body: object({
          amount: { type: 'string', pattern: SIGNED_AMOUNT, description: 'signed, not zero, at most two places: "50.00" adds, "-12.50" takes' },
          reason: { type: 'string', minLength: 1, maxLength: 200 },
        }),
      },
    },
    async (request) =>
      adminUserView(
        await services.user.adjustBalance({
          requestId: request.headers['idempotency-key']!,
          userId: request.params.userId,
          operatorId: principalOf(request).userId,
          amount: request.body.amount,
          reason: request.body.reason,
        }),
      ),
  );

  app.post<{ Params: { userId: string }; Body: { reason: string } }>(
    '/api/v1/admin/users/:userId/ban',
    {
      preHandler,
      schema: {
        ...documented('admin', 'Ban a user: they cannot sign in, and their tokens are refused within seconds (403 USER_BANNED)', {
          auth: true,
          response: adminUserSchema,
          description: 'Admins only (403 FORBIDDEN otherwise). An admin cannot be banned (409 USER_STATE). Banning a banned user changes nothing.',
        }),
        params: params('userId'),
        body: object({ reason: { type: 'string', minLength: 1, maxLength: 200 } }),
      },
    },
    async (request) => {
      const banned = await services.user.setBanned({
        userId: request.params.userId,
        operatorId: principalOf(request).userId,
        banned: true,
        reason: request.body.reason,
      });
      request.server.userStanding?.remember(banned.userId, banned.banned);
      return adminUserView(banned);
    },
  );

  app.post<{ Params: { userId: string }; Body: { reason?: string } | undefined }>(
    '/api/v1/admin/users/:userId/unban',
    {
      preHandler,
      schema: {
        ...admin('Let a banned user back (the reason, if any, is kept in the ban log)', adminUserSchema),
        params: params('userId'),
        body: { anyOf: [{ type: 'null' }, object({ reason: { type: 'string', maxLength: 200 } }, [])] },
      },
    },
    async (request) => {
      const unbanned = await services.user.setBanned({
        userId: request.params.userId,
        operatorId: principalOf(request).userId,
        banned: false,
        reason: request.body?.reason ?? '',
      });
      request.server.userStanding?.remember(unbanned.userId, unbanned.banned);
      return adminUserView(unbanned);
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
