/** Admin operations: every refund, the dashboard's payment numbers, reconciliation of a day against Alipay's bill. */
import { calendarDate, documented, object, pageQuery, params, protoEnumNames, requireAdmin, requireUser, type TokenService } from '@shop/common/http';
import { recentDays } from '@shop/contracts';
import { pay } from '@shop/proto';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from '../clients';
import { payDayStatsSchema, reconciliationSchema, refundSchema, refundView } from '../views';

const REFUND_STATUSES = protoEnumNames(pay.RefundStatus).map((name) => name.replace(/^REFUND_/, ''));
const admin = (summary: string, response: object, description = 'Admins only (403 FORBIDDEN otherwise).') =>
  documented('admin', summary, { auth: true, response, description });

export function adminRoutes(app: FastifyInstance, payments: PayClient, tokens: TokenService): void {
  const preHandler = [requireUser(tokens), requireAdmin];

  app.get<{ Querystring: { date: string } }>(
    '/api/v1/admin/reconciliation',
    {
      preHandler,
      schema: {
        ...admin(
          "Reconcile a day's payments against Alipay's bill",
          reconciliationSchema,
          'Admins only (403 FORBIDDEN otherwise). The day is a China (UTC+8) date, as in Alipay’s bill.',
        ),
        querystring: object({ date: calendarDate }),
      },
    },
    async (request) => payments.reconcile({ date: request.query.date }),
  );

  app.get<{ Querystring: { status?: string; page?: string; size?: string } }>(
    '/api/v1/admin/refunds',
    {
      preHandler,
      schema: {
        ...admin('Every refund, newest first', {
          type: 'object',
          properties: { items: { type: 'array', items: refundSchema }, total: { type: 'integer' } },
          required: ['items', 'total'],
        }),
        querystring: object({ status: { type: 'string', enum: REFUND_STATUSES }, page: pageQuery, size: pageQuery }, []),
      },
    },
    async (request) => {
      const { status, page, size } = request.query;
      const { refunds, total } = await payments.listRefunds({
        orderId: '',
        userId: '',
        status: status ? pay.refundStatusFromJSON(`REFUND_${status}`) : pay.RefundStatus.REFUND_STATUS_UNSPECIFIED,
        page: Number(page ?? 1),
        size: Number(size ?? 20),
      });
      return { items: refunds.map(refundView), total };
    },
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/admin/orders/:orderId/refunds',
    {
      preHandler,
      schema: {
        ...admin("Any user's order's refunds, oldest first", {
          type: 'object',
          properties: { items: { type: 'array', items: refundSchema } },
          required: ['items'],
        }),
        params: params('orderId'),
      },
    },
    async (request) => {
      const { refunds } = await payments.listRefunds({
        orderId: request.params.orderId,
        userId: '',
        status: pay.RefundStatus.REFUND_STATUS_UNSPECIFIED,
        page: 0,
        size: 0,
      });
      return { items: refunds.map(refundView) };
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/v1/admin/stats/payments',
    {
      preHandler,
      schema: {
        ...admin('Payments and refunds per UTC day (the dashboard); the last 30 days by default', payDayStatsSchema),
        querystring: object({ from: calendarDate, to: calendarDate }, []),
      },
    },
    async (request) => payments.payStats({ ...recentDays(30), ...request.query }),
  );
}
