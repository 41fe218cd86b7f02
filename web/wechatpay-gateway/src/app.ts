/** The gateway's HTTP app: WeChat Pay API v3, the cashier, and the control API for tests. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createHttpApp } from '@shop/common/http';
import type { Logger } from '@shop/common/log';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Bills } from './bills';
import { Buyer } from './buyer';
import { registerCashier } from './cashier';
import type { GatewayConfig } from './config';
import { Faults } from './faults';
import { NotificationSwitch } from '@shop/common/emulator';
import { Notifier } from './notifier';
import { OrderBook } from './orders';
import { RefundDesk } from './refund-desk';
import { registerSandbox } from './sandbox';
import { Signer } from './signer';
import { registerV3Api } from './v3-api';

export interface Gateway {
  app: FastifyInstance;
  orders: OrderBook;
  bills: Bills;
  notifier: Notifier;
  faults: Faults;
  signer: Signer;
}

export interface GatewayOptions {
  /**
   * The gateway's business clock (orders, expiries, refunds, bill days); tests move it to cross
   * a deadline or midnight. Signatures keep the real clock, which the merchant's SDK checks.
   */
  now?: () => Date;
}

export function buildGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Gateway {
  const app = createHttpApp({ logger, forms: true });
  // The signatures of /v3 requests cover their bodies' exact bytes: those stay text until
  // authenticated (v3-api.ts parses them); the control API's JSON is parsed as usual.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (request.url.startsWith('/v3/')) return done(null, text);
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('the body is not JSON'), { statusCode: 400 }) as FastifyError, undefined);
    }
  });

  const now = options.now ?? (() => new Date());
  const orders = new OrderBook(now);
  const bills = new Bills(orders, { appid: config.appid, mchid: config.mchid }, config.billReadyAfterMinutes);
  const signer = new Signer(
    {
      publicKeyId: config.publicKeyId,
      publicKeyPrivateKey: createPrivateKey(config.publicKeyPrivateKey),
      platformSerial: config.platformSerial,
      platformPrivateKey: createPrivateKey(config.platformPrivateKey),
    },
    config.signWith,
  );
  const notificationSwitch = new NotificationSwitch();
  const notifier = new Notifier({ apiV3Key: config.apiV3Key, signer, timeScale: config.notifyTimeScale, logger, notificationSwitch, now });
  const buyer = new Buyer(orders, notifier, logger);
  const refundDesk = new RefundDesk(orders, notifier, logger, config.refundDelayMs);
  const faults = new Faults();
  // With port 0 (tests) the port is known only once listening: the public URL follows it.
  const publicUrl = () => (config.port === 0 ? `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` : config.publicUrl);

  // Nothing may outlive the gateway: pending notification retries and refunds, connections held by faults.
  app.addHook('preClose', async () => {
    notifier.stop();
    refundDesk.stop();
    faults.stop();
  });

  registerV3Api(app, {
    config,
    merchant: { mchid: config.mchid, merchantSerial: config.merchantSerial, merchantPublicKey: createPublicKey(config.merchantCertificate) },
    signer,
    orders,
    bills,
    refundDesk,
    faults,
    downloadUrl: (token) => `${publicUrl()}/v3/billdownload/file?token=${token}`,
  });
  registerCashier(app, { orders, buyer });
  registerSandbox(app, {
    orders,
    buyer,
    bills,
    notifier,
    notificationSwitch,
    faults,
    refundDesk,
    signer,
    cashierUrl: (token) => `${publicUrl()}/cashier/${token}`,
  });

  return { app, orders, bills, notifier, faults, signer };
}
