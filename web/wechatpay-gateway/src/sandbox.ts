/**
 * The control API (not WeChat Pay's), under /sandbox: what a buyer or WeChat's back office would
 * do, the ledger as WeChat Pay holds it, and the faults tests plant on purpose. Documented in
 * README.md.
 */
import { AppError, ErrorCode } from '@shop/common/errors';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BillTampering, Bills } from './bills';
import type { Buyer } from './buyer';
import { faultRequestSchema, type Faults } from './faults';
import { payBodySchema, registerFaultAndSwitchRoutes, type NotificationSwitch, type PayOptions } from '@shop/common/emulator';
import type { Notifier, SentNotification } from './notifier';
import { codeUrl, type Order, type OrderBook, type Refund, type RefundStatus } from './orders';
import type { RefundDesk } from './refund-desk';
import { SIGNING_MODES, type Signer, type SigningMode } from './signer';
import { WechatError } from './wechat-error';

export interface SandboxDeps {
  orders: OrderBook;
  buyer: Buyer;
  bills: Bills;
  notifier: Notifier;
  notificationSwitch: NotificationSwitch;
  faults: Faults;
  refundDesk: RefundDesk;
  signer: Signer;
  /** The cashier page of an order's code_url. */
  cashierUrl(token: string): string;
}

const settleBodySchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['SUCCESS', 'CLOSED', 'ABNORMAL'] } },
} as const;

const refundProcessingSchema = {
  type: 'object',
  required: ['delayMs'],
  additionalProperties: false,
  properties: { delayMs: { type: ['integer', 'null'], minimum: 0, maximum: 86_400_000 } },
} as const;

const signingSchema = {
  type: 'object',
  required: ['mode'],
  additionalProperties: false,
  properties: { mode: { type: 'string', enum: [...SIGNING_MODES] } },
} as const;

const fen = { type: 'integer', minimum: 1, maximum: 100_000_000_000 } as const;
const tamperSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    drop: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
    add: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['outTradeNo', 'amount'],
        additionalProperties: false,
        properties: { outTradeNo: { type: 'string', minLength: 1 }, amount: fen },
      },
    },
    amounts: { type: 'object', additionalProperties: fen },
  },
} as const;

/** How the last notification looked: its headers and body (parsed, for reading). */
const lastNotification = (sent: SentNotification | undefined) => (sent ? { headers: sent.headers, body: JSON.parse(sent.body) as unknown } : null);

export function registerSandbox(app: FastifyInstance, deps: SandboxDeps): void {
  const { orders, buyer, bills, notifier, notificationSwitch, faults, refundDesk, signer } = deps;

  const refundRow = (refund: Refund) => ({
    outRefundNo: refund.outRefundNo,
    refundId: refund.refundId,
    outTradeNo: refund.outTradeNo,
    amount: refund.amount,
    status: refund.status,
    createdAt: refund.createdAt.toISOString(),
    successTime: refund.successTime?.toISOString() ?? null,
  });
  const orderRow = (order: Order) => ({
    outTradeNo: order.outTradeNo,
    tradeState: order.state,
    transactionId: order.transactionId ?? null,
    description: order.description,
    total: order.total,
    refunded: orders.refunded(order),
    refunds: order.refunds.map(refundRow),
    codeUrl: codeUrl(order.token),
    cashierUrl: deps.cashierUrl(order.token),
    payable: orders.payable(order),
    createdAt: order.createdAt.toISOString(),
    timeExpire: order.payBy?.toISOString() ?? null,
    successTime: order.successTime?.toISOString() ?? null,
  });

  /** An action WeChat Pay may refuse; its refusals answer 409 {code, message}. */
  const refusable = <T>(reply: FastifyReply, action: () => T) => {
    try {
      return action();
    } catch (error) {
      if (error instanceof WechatError) return reply.status(409).send({ code: error.code, message: error.message });
      throw error;
    }
  };

  app.get('/sandbox/orders', async () => ({ orders: orders.all().map(orderRow) }));

  app.get<{ Params: { outTradeNo: string } }>('/sandbox/orders/:outTradeNo', async (request) => {
    const order = orders.find(request.params.outTradeNo);
    if (!order) throw new AppError(ErrorCode.NOT_FOUND, 'no such order');
    return {
      ...orderRow(order),
      notifications: notifier.attempts.get(order.outTradeNo) ?? [],
      lastNotification: lastNotification(notifier.lastSent.get(order.outTradeNo)),
    };
  });

  app.post<{ Params: { outTradeNo: string }; Body: PayOptions | null | undefined }>(
    '/sandbox/orders/:outTradeNo/pay',
    { schema: { body: payBodySchema } },
    async (request, reply) => refusable(reply, () => orderRow(buyer.pay(request.params.outTradeNo, request.body ?? {}))),
  );

  app.get<{ Params: { outRefundNo: string } }>('/sandbox/refunds/:outRefundNo', async (request) => {
    const refund = orders.findRefund(request.params.outRefundNo);
    if (!refund) throw new AppError(ErrorCode.NOT_FOUND, 'no such refund');
    return {
      ...refundRow(refund),
      notifications: notifier.attempts.get(refund.outRefundNo) ?? [],
      lastNotification: lastNotification(notifier.lastSent.get(refund.outRefundNo)),
    };
  });

  app.post<{ Params: { outRefundNo: string }; Body: { status: Exclude<RefundStatus, 'PROCESSING'> } }>(
    '/sandbox/refunds/:outRefundNo/settle',
    { schema: { body: settleBodySchema } },
    async (request, reply) => {
      if (!orders.findRefund(request.params.outRefundNo)) throw new AppError(ErrorCode.NOT_FOUND, 'no such refund');
      return refusable(reply, () => refundRow(refundDesk.settle(request.params.outRefundNo, request.body.status)));
    },
  );

  app.get('/sandbox/refund-processing', async () => ({ delayMs: refundDesk.delayMs }));
  app.post<{ Body: { delayMs: number | null } }>('/sandbox/refund-processing', { schema: { body: refundProcessingSchema } }, async (request) => {
    refundDesk.delayMs = request.body.delayMs;
    return { delayMs: refundDesk.delayMs };
  });

  app.get('/sandbox/signing', async () => ({ mode: signer.mode, serial: signer.serial() }));
  app.post<{ Body: { mode: SigningMode } }>('/sandbox/signing', { schema: { body: signingSchema } }, async (request) => {
    signer.mode = request.body.mode;
    return { mode: signer.mode, serial: signer.serial() };
  });

  app.post<{ Params: { date: string }; Body: BillTampering }>('/sandbox/bills/:date/tamper', { schema: { body: tamperSchema } }, async (request) => {
    bills.tamper(request.params.date, request.body);
    return { date: request.params.date };
  });

  registerFaultAndSwitchRoutes(app, { faults, faultSchema: faultRequestSchema, notificationSwitch });
}
