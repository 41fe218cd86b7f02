/** The gateway's HTTP app: OpenAPI, cashier, bills, and the control API for tests. */
import { createHttpApp, ErrorCode, AppError, type Logger } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Bills, type BillTampering } from './bills';
import { cashierPage } from './cashier';
import type { GatewayConfig } from './config';
import { Notifier } from './notifier';
import { handleOpenApi } from './openapi';
import { BusinessError, TradeBook } from './trades';

export interface Gateway {
  app: FastifyInstance;
  trades: TradeBook;
  notifier: Notifier;
}

type NotifyMode = 'normal' | 'none' | 'duplicate';

export function buildGateway(config: GatewayConfig, logger: Logger): Gateway {
  const app = createHttpApp({ logger, forms: true });
  const trades = new TradeBook();
  const bills = new Bills(trades);
  const notifier = new Notifier({ appId: config.appId, alipayPrivateKey: config.alipayPrivateKey, timeScale: config.notifyTimeScale, logger });
  // With port 0 (tests) the port is known only once listening: the public URL follows it.
  const publicUrl = () => (config.port === 0 ? `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` : config.publicUrl);
  const qrCode = (outTradeNo: string) => `${publicUrl()}/cashier/${encodeURIComponent(outTradeNo)}`;

  const pay = (outTradeNo: string, mode: NotifyMode) => {
    const trade = trades.pay(outTradeNo);
    logger.info({ outTradeNo, notify: mode }, 'trade paid');
    if (trade.notifyUrl && mode !== 'none') {
      notifier.notify(trade, trade.notifyUrl);
      if (mode === 'duplicate') notifier.notify(trade, trade.notifyUrl);
    }
    return trade;
  };

  app.post<{ Querystring: Record<string, string>; Body: Record<string, string> | undefined }>('/gateway.do', async (request, reply) => {
    const { body } = handleOpenApi({ config, trades, qrCode, billUrl: (date) => `${publicUrl()}/bills/${date}.csv` }, { ...request.query, ...request.body });
    return reply.type('application/json;charset=utf-8').send(body);
  });

  app.get<{ Params: { outTradeNo: string } }>('/cashier/:outTradeNo', async (request, reply) => {
    const trade = trades.find(request.params.outTradeNo);
    if (!trade) throw new AppError(ErrorCode.NOT_FOUND, 'no such trade');
    return reply.type('text/html; charset=utf-8').send(cashierPage(trade, qrCode(trade.outTradeNo)));
  });

  app.post<{ Params: { outTradeNo: string } }>('/cashier/:outTradeNo/pay', async (request, reply) => {
    let message = 'Paid. You can close this page.';
    try {
      pay(request.params.outTradeNo, 'normal');
    } catch (error) {
      if (!(error instanceof BusinessError)) throw error;
      message = `Payment refused: ${error.subCode}`;
    }
    const trade = trades.find(request.params.outTradeNo);
    if (!trade) throw new AppError(ErrorCode.NOT_FOUND, 'no such trade');
    return reply.type('text/html; charset=utf-8').send(cashierPage(trade, qrCode(trade.outTradeNo), message));
  });

  app.get<{ Params: { date: string } }>('/bills/:date.csv', async (request, reply) => reply.type('text/csv; charset=utf-8').send(bills.csv(request.params.date)));

  // Control API (not Alipay's): what a buyer or an operator would do, for tests and scripts.
  app.post<{ Params: { outTradeNo: string }; Body: { notify?: NotifyMode } | undefined }>(
    '/sandbox/trades/:outTradeNo/pay',
    { schema: { body: { anyOf: [{ type: 'null' }, { type: 'object', properties: { notify: { type: 'string', enum: ['normal', 'none', 'duplicate'] } }, additionalProperties: false }] } } },
    async (request, reply) => {
      try {
        const trade = pay(request.params.outTradeNo, request.body?.notify ?? 'normal');
        return { outTradeNo: trade.outTradeNo, tradeNo: trade.tradeNo, status: trade.status };
      } catch (error) {
        if (error instanceof BusinessError) return reply.status(409).send({ code: error.subCode, message: error.subMsg });
        throw error;
      }
    },
  );

  app.get<{ Params: { outTradeNo: string } }>('/sandbox/trades/:outTradeNo', async (request) => {
    const trade = trades.find(request.params.outTradeNo);
    if (!trade) throw new AppError(ErrorCode.NOT_FOUND, 'no such trade');
    return {
      outTradeNo: trade.outTradeNo,
      tradeNo: trade.tradeNo,
      status: trade.status,
      totalAmount: trade.totalAmount,
      refunds: Object.fromEntries([...trade.refunds].map(([id, refund]) => [id, refund.amount])),
      notifications: notifier.attempts.get(trade.outTradeNo) ?? [],
      lastNotification: notifier.lastForms.get(trade.outTradeNo) ?? null,
    };
  });

  app.post<{ Params: { date: string }; Body: BillTampering }>('/sandbox/bills/:date/tamper', async (request) => {
    bills.tamper(request.params.date, request.body);
    return { date: request.params.date };
  });

  return { app, trades, notifier };
}
