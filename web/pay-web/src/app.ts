/** pay-web's HTTP app: the shared frame and its routes (routes/). Built apart from main for tests. */
import { addRoutes, createHttpApp, type HttpAppOptions, type RateLimitSettings, type TokenService, type UserStanding } from '@shop/common/http';
import type { Logger } from '@shop/common/log';
import type { FastifyInstance } from 'fastify';
import type { PayClient } from './clients';
import { adminRoutes } from './routes/admin.routes';
import { notifyRoutes } from './routes/notify.routes';
import { paymentRoutes } from './routes/payments.routes';
import { refundRoutes } from './routes/refunds.routes';

export type { PayClient } from './clients';

export interface PayWebDeps {
  payments: PayClient;
  tokens: TokenService;
  logger: Logger;
  corsOrigins: (string | RegExp)[];
  faultInjection: boolean;
  /** The users' standing: a banned user's tokens are refused (403 USER_BANNED). Without it (tests of the routes alone), no check. */
  standing?: UserStanding;
  /** Limits on creating payments and asking refunds; none without (tests of the routes alone). */
  rateLimits?: RateLimitSettings;
  trustProxy?: number | string[];
  /** /metrics and /docs on the public port too (outside production); otherwise on the admin listener only. */
  publicAdminRoutes?: boolean;
  /** The process's health (its /readyz); none in tests of the routes alone. */
  health?: HttpAppOptions['health'];
}

export function buildPayWeb(deps: PayWebDeps): FastifyInstance {
  const { payments, tokens, logger } = deps;
  const app = createHttpApp({
    logger,
    forms: true,
    corsOrigins: deps.corsOrigins,
    standing: deps.standing,
    rateLimits: deps.rateLimits,
    trustProxy: deps.trustProxy,
    publicAdminRoutes: deps.publicAdminRoutes,
    readiness: () => (payments.$providers().length === 0 ? ['no provider of the pay service'] : []),
    health: deps.health,
    docs: {
      title: 'Shop pay-web',
      description: 'Payments with Alipay or WeChat Pay, their notifications, refunds, reconciliation. Errors answer {code, message}.',
      version: '1',
    },
  });
  addRoutes(app, (api) => {
    paymentRoutes(api, payments, tokens);
    notifyRoutes(api, payments);
    refundRoutes(api, payments, tokens, deps.faultInjection);
    adminRoutes(api, payments, tokens);
  });
  return app;
}
