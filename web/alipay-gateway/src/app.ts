/** The gateway's HTTP app: OpenAPI, cashier, bills, and the control API for tests. */
import { createHttpApp } from '@shop/common/http';
import type { Logger } from '@shop/common/log';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Bills } from './bills';
import { Buyer } from './buyer';
import { registerCashier } from './cashier';
import type { GatewayConfig } from './config';
import { Faults } from './faults';
import { NotificationSwitch } from '@shop/common/emulator';
import { Notifier } from './notifier';
import { authenticate, execute, signedRefusal, type OpenApiDeps } from './openapi';
import { registerSandbox } from './sandbox';
import { TradeBook } from './trades';

export interface Gateway {
  app: FastifyInstance;
  trades: TradeBook;
  notifier: Notifier;
  faults: Faults;
}

export interface GatewayOptions {
  /** The gateway's clock (trades, expiries, bill days); tests move it to cross a deadline or midnight. */
  now?: () => Date;
}

export function buildGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Gateway {
  const app = createHttpApp({ logger, forms: true });
  const trades = new TradeBook(options.now);
  const bills = new Bills(trades);
  const notificationSwitch = new NotificationSwitch();
  const notifier = new Notifier({
    appId: config.appId,
    alipayPrivateKey: config.alipayPrivateKey,
    timeScale: config.notifyTimeScale,
    logger,
    notificationSwitch,
  });
  const buyer = new Buyer(trades, notifier, logger);
  const faults = new Faults();
  // With port 0 (tests) the port is known only once listening: the public URL follows it.
  const publicUrl = () => (config.port === 0 ? `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` : config.publicUrl);
  const qrCode = (outTradeNo: string) => `${publicUrl()}/cashier/${encodeURIComponent(outTradeNo)}`;
  const openApi: OpenApiDeps = { config, trades, qrCode, billUrl: (date) => `${publicUrl()}/bills/${date}.csv` };

  // Nothing may outlive the gateway: pending notification retries, connections held by faults.
  app.addHook('preClose', async () => {
    notifier.stop();
    faults.stop();
  });

  app.post<{ Querystring: Record<string, string>; Body: Record<string, string> | undefined }>('/gateway.do', async (request, reply) => {
    const authenticated = authenticate(config, { ...request.query, ...request.body });
    if ('refusal' in authenticated) return reply.type('application/json;charset=utf-8').send(authenticated.refusal);
    const { call } = authenticated;
    return faults.serve(
      call.method,
      { execute: () => execute(openApi, call), refuse: (error) => signedRefusal(call.method, error, config.alipayPrivateKey) },
      request,
      reply,
    );
  });

  app.get<{ Params: { date: string } }>('/bills/:date.csv', async (request, reply) =>
    reply.type('text/csv; charset=utf-8').send(bills.csv(request.params.date)),
  );

  registerCashier(app, { trades, buyer, qrCode });
  registerSandbox(app, { trades, buyer, bills, notifier, notificationSwitch, faults });

  return { app, trades, notifier, faults };
}
