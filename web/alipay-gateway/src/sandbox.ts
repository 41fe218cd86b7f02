/**
 * The control API (not Alipay's), under /sandbox: what a buyer or an operator would do, the
 * ledger as Alipay holds it, and the faults tests plant on purpose. Documented in README.md.
 */
import { AppError, ErrorCode } from '@shop/common/errors';
import { formatCents } from '@shop/common/money';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BillTampering, Bills } from './bills';
import type { Buyer } from './buyer';
import { faultRequestSchema, type Faults } from './faults';
import { payBodySchema, registerFaultAndSwitchRoutes, type NotificationSwitch, type PayOptions } from '@shop/common/emulator';
import type { Notifier } from './notifier';
import { BusinessError, ledgerStatus, type Trade, type TradeBook } from './trades';

export interface SandboxDeps {
  trades: TradeBook;
  buyer: Buyer;
  bills: Bills;
  notifier: Notifier;
  notificationSwitch: NotificationSwitch;
  faults: Faults;
}

type TradeParams = { Params: { outTradeNo: string } };

export function registerSandbox(app: FastifyInstance, deps: SandboxDeps): void {
  const { trades, buyer, bills, notifier, notificationSwitch, faults } = deps;

  const tradeView = (trade: Trade) => ({
    outTradeNo: trade.outTradeNo,
    tradeNo: trade.tradeNo,
    status: ledgerStatus(trade),
    scanned: trade.scannedAt !== undefined,
    totalAmount: trade.totalAmount,
    refundedAmount: formatCents(trades.refunded(trade)),
    refunds: Object.fromEntries([...trade.refunds].map(([outRequestNo, refund]) => [outRequestNo, refund.amount])),
    paidAt: trade.paidAt?.toISOString() ?? null,
    expiresAt: trade.expiresAt.toISOString(),
  });

  /** The buyer's action on a trade; Alipay's refusals (and a dead QR code) answer 409 {code, message}. */
  const asBuyer = (reply: FastifyReply, action: () => Trade) => {
    try {
      const trade = action();
      return { outTradeNo: trade.outTradeNo, tradeNo: trade.tradeNo, status: ledgerStatus(trade) };
    } catch (error) {
      if (error instanceof BusinessError) return reply.status(409).send({ code: error.subCode, message: error.subMsg });
      throw error;
    }
  };

  app.get('/sandbox/trades', async () => ({ trades: trades.all().map(tradeView) }));

  app.get<TradeParams>('/sandbox/trades/:outTradeNo', async (request) => {
    const trade = trades.find(request.params.outTradeNo);
    if (!trade) throw new AppError(ErrorCode.NOT_FOUND, 'no such trade');
    return {
      ...tradeView(trade),
      notifications: notifier.attempts.get(trade.outTradeNo) ?? [],
      lastNotification: notifier.lastForms.get(trade.outTradeNo) ?? null,
    };
  });

  app.post<TradeParams>('/sandbox/trades/:outTradeNo/scan', async (request, reply) => asBuyer(reply, () => buyer.scan(request.params.outTradeNo)));

  app.post<TradeParams & { Body: PayOptions | null | undefined }>(
    '/sandbox/trades/:outTradeNo/pay',
    { schema: { body: payBodySchema } },
    async (request, reply) => asBuyer(reply, () => buyer.pay(request.params.outTradeNo, request.body ?? {})),
  );

  app.post<{ Params: { date: string }; Body: BillTampering }>('/sandbox/bills/:date/tamper', async (request) => {
    bills.tamper(request.params.date, request.body);
    return { date: request.params.date };
  });

  registerFaultAndSwitchRoutes(app, { faults, faultSchema: faultRequestSchema, notificationSwitch });
}
