/** pay-web's HTTP app: payments, Alipay's notifications, refunds, reconciliation. */
import { addRoutes, createHttpApp, documented, idempotencyHeaders, idString, moneyString, object, params, protoEnumNames, principalOf, requireAdmin, requireUser, type TokenService } from '@shop/common/http';
import type { Logger } from '@shop/common/log';
import { createRpcClient, Metadata, type CallOptions, type RpcClient, type ZkRegistry } from '@shop/common/rpc';
import { FAULT_HEADER, isFault, MAX_LINES, MAX_QUANTITY, payContract } from '@shop/contracts';
import { pay } from '@shop/proto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';

export type PayClient = RpcClient<typeof payContract.definition>;

export function connectPay(registry: ZkRegistry, logger: Logger): Promise<PayClient> {
  return createRpcClient(payContract, { application: 'pay-web', registry, logger });
}


const paymentView = (p: pay.Payment) => ({ paymentId: p.paymentId, orderId: p.orderId, amount: p.amount, status: pay.paymentStatusToJSON(p.status) });

const paymentProperties = {
  paymentId: { type: 'string' },
  orderId: { type: 'string' },
  amount: { type: 'string', description: 'yuan, two decimals' },
  status: { type: 'string', enum: protoEnumNames(pay.PaymentStatus) },
} as const;
const paymentSchema = { type: 'object', properties: paymentProperties, required: Object.keys(paymentProperties) } as const;
const createdPaymentSchema = {
  type: 'object',
  properties: {
    ...paymentProperties,
    qrCode: { type: 'string', description: "the QR code's content (Alipay's qr_code): a link the buyer's Alipay app opens" },
    qrImage: { type: 'string', description: 'the same QR code drawn as an SVG image, as a data: URL for an <img>' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
  required: [...Object.keys(paymentProperties), 'qrCode', 'qrImage', 'expiresAt'],
} as const;

const reconciliationSchema = {
  type: 'object',
  properties: {
    date: { type: 'string' },
    matched: { type: 'integer' },
    differences: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['LOCAL_ONLY', 'THIRD_PARTY_ONLY', 'AMOUNT_MISMATCH'] },
          outTradeNo: { type: 'string' },
          localAmount: { type: 'string' },
          alipayAmount: { type: 'string' },
          action: { type: 'string', description: 'what reconciliation did about it (a payment Alipay took unrecorded is applied)' },
        },
        required: ['type', 'outTradeNo', 'localAmount', 'alipayAmount', 'action'],
      },
    },
  },
  required: ['date', 'matched', 'differences'],
} as const;

const refundLine = { type: 'object', properties: { goodsId: { type: 'string' }, quantity: { type: 'integer' } }, required: ['goodsId', 'quantity'] } as const;
const refundProperties = {
  refundId: { type: 'string' },
  orderId: { type: 'string' },
  status: { type: 'string', enum: protoEnumNames(pay.RefundStatus).map((name) => name.replace(/^REFUND_/, '')), description: 'PENDING -> SUCCEEDED, or FAILED (Alipay refused it)' },
  kind: { type: 'string', enum: protoEnumNames(pay.RefundKind), description: 'CUSTOMER, AFTER_SALES (an approved request), PAYMENT_REJECTED (money paid after the order was cancelled)' },
  amount: { type: 'string', description: 'yuan, two decimals' },
  alipayAmount: { type: 'string', description: 'the part given back through Alipay' },
  balanceAmount: { type: 'string', description: 'the part given back to the balance' },
  points: { type: 'string', description: 'points taken back' },
  items: { type: 'array', items: refundLine, description: 'stock given back' },
  reason: { type: 'string' },
  failureReason: { type: 'string', nullable: true, description: "why it FAILED (Alipay's sub_code), or what a PENDING refund waits for" },
  createdAt: { type: 'string', format: 'date-time' },
  finishedAt: { type: 'string', format: 'date-time', nullable: true },
} as const;
const refundSchema = { type: 'object', properties: refundProperties, required: Object.keys(refundProperties) } as const;

const refundView = (r: pay.Refund) => ({
  refundId: r.refundId,
  orderId: r.orderId,
  status: pay.refundStatusToJSON(r.status).replace(/^REFUND_/, ''),
  kind: pay.refundKindToJSON(r.kind),
  amount: r.amount,
  alipayAmount: r.alipayAmount,
  balanceAmount: r.balanceAmount,
  points: r.points,
  items: r.items.map(({ goodsId, quantity }) => ({ goodsId, quantity })),
  reason: r.reason,
  failureReason: r.failureReason || null,
  createdAt: r.createdAt,
  finishedAt: r.finishedAt || null,
});

/** The QR code as an SVG data: URL, so that any client can show it without a QR library. */
async function qrImageOf(content: string): Promise<string> {
  const svg = await QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export function buildPayWeb(deps: { payments: PayClient; tokens: TokenService; logger: Logger; corsOrigins: (string | RegExp)[]; faultInjection: boolean }): FastifyInstance {
  const { payments, tokens, logger } = deps;
  const app = createHttpApp({
    logger,
    forms: true,
    corsOrigins: deps.corsOrigins,
    docs: { title: 'Shop pay-web', description: "Payments with Alipay, Alipay's notifications, refunds, reconciliation. Errors answer {code, message}.", version: '1' },
  });
  addRoutes(app, (api) => payRoutes(api, payments, tokens, deps.faultInjection));
  return app;
}

function payRoutes(app: FastifyInstance, payments: PayClient, tokens: TokenService, faultInjection: boolean): void {
  const preHandler = requireUser(tokens);

  /** Test-only: forwards x-shop-fault to the pay service when fault injection is on. */
  const faultOptions = (request: FastifyRequest): CallOptions | undefined => {
    const fault = request.headers[FAULT_HEADER];
    if (!faultInjection || !isFault(fault)) return undefined;
    const metadata = new Metadata();
    metadata.set(FAULT_HEADER, fault);
    return { metadata };
  };

  app.post<{ Body: { orderId: string; channel: 'ALIPAY_QR' } }>(
    '/api/v1/payments',
    {
      preHandler,
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
      return reply.status(201).send({ ...paymentView(created), qrCode: created.qrCode, qrImage: await qrImageOf(created.qrCode), expiresAt: created.expiresAt });
    },
  );

  app.get<{ Params: { paymentId: string } }>(
    '/api/v1/payments/:paymentId',
    { preHandler, schema: { ...documented('payments', 'One payment', { auth: true, response: paymentSchema }), params: params('paymentId') } },
    async (request) => paymentView(await payments.getPayment({ paymentId: request.params.paymentId, userId: principalOf(request).userId })),
  );

  // From Alipay: a form, answered with the bare text it expects. Anything unverifiable: "failure".
  app.post<{ Body: unknown }>(
    '/api/v1/notify/alipay',
    {
      schema: documented('alipay', "Alipay's asynchronous notification (trade_status_sync)", {
        description: 'A signed application/x-www-form-urlencoded form from Alipay. Answers the bare text `success` once applied (or already applied), `failure` for anything unverifiable; Alipay retries until `success`.',
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

  app.post<{ Params: { orderId: string }; Body: { amount?: string; reason: string; items?: { goodsId: string; quantity: number }[] }; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/orders/:orderId/refund',
    {
      preHandler,
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
            items: { type: 'array', minItems: 1, maxItems: MAX_LINES, items: object({ goodsId: idString, quantity: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY } }) },
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
        faultOptions(request),
      );
      return reply.status(refund.status === pay.RefundStatus.REFUND_PENDING ? 202 : 201).send(refundView(refund));
    },
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId/refunds',
    { preHandler, schema: { ...documented('refunds', "An order's refunds, oldest first", { auth: true, response: { type: 'object', properties: { items: { type: 'array', items: refundSchema } }, required: ['items'] } }), params: params('orderId') } },
    async (request) => ({ items: (await payments.listRefunds({ orderId: request.params.orderId, userId: principalOf(request).userId })).refunds.map(refundView) }),
  );

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
