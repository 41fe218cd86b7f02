/** order-web's HTTP app: the shared frame, its API routes, the storefront page. Built separately from main for tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import {
  addRoutes,
  createHttpApp,
  STANDING_LOOKUP_TIMEOUT_MS,
  UserStanding,
  type HttpAppOptions,
  type RateLimitSettings,
  type TokenService,
} from '@shop/common/http';
import type { Logger } from '@shop/common/log';
import type { FastifyInstance } from 'fastify';
import { missingProviders, type Services } from './clients';
import { payWebSources } from './pay-web-origin';
import { accountRoutes } from './routes/account.routes';
import { addressRoutes } from './routes/addresses.routes';
import { adminGoodsRoutes } from './routes/admin-goods.routes';
import { adminRoutes } from './routes/admin.routes';
import { afterSalesRoutes } from './routes/after-sales.routes';
import { authRoutes } from './routes/auth.routes';
import { cartRoutes } from './routes/cart.routes';
import { goodsRoutes } from './routes/goods.routes';
import { orderRoutes } from './routes/orders.routes';

export interface OrderWebDeps {
  services: Services;
  tokens: TokenService;
  logger: Logger;
  faultInjection: boolean;
  corsOrigins: (string | RegExp)[];
  /** Limits on sign-in, sign-up and placing orders; none without (tests of the routes alone). */
  rateLimits?: RateLimitSettings;
  trustProxy?: number | string[];
  /** Where the storefront finds pay-web; empty: the page's own host on port 7002. */
  payWebUrl: string;
  /** /metrics and /docs on the public port too (outside production); otherwise on the admin listener only. */
  publicAdminRoutes?: boolean;
  /** The process's health (its /readyz); none in tests of the routes alone. */
  health?: HttpAppOptions['health'];
}

/** The storefront and the admin console: static files with no build step, in web/order-web/{storefront,admin}. */
const STOREFRONT_DIR = join(__dirname, '..', 'storefront');
const ADMIN_DIR = join(__dirname, '..', 'admin');
/** Chart.js for the console's dashboard, served from the installed package: nothing comes from a CDN. */
// The package exports only its modules; the UMD build sits beside its main file.
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

export function buildOrderWeb(deps: OrderWebDeps): FastifyInstance {
  const app = createHttpApp({
    logger: deps.logger,
    corsOrigins: deps.corsOrigins,
    rateLimits: deps.rateLimits,
    trustProxy: deps.trustProxy,
    publicAdminRoutes: deps.publicAdminRoutes,
    // The pages call pay-web (payments, refunds, reconciliation): their CSP names it.
    connectSources: payWebSources(deps.payWebUrl),
    readiness: () => missingProviders(deps.services),
    health: deps.health,
    // A banned user's tokens are refused (403 USER_BANNED) within a few seconds of the ban.
    standing: new UserStanding((userId) => deps.services.user.getStanding({ userId }, { timeoutMs: STANDING_LOOKUP_TIMEOUT_MS }), { logger: deps.logger }),
    docs: { title: 'Shop order-web', description: 'Users, goods, cart, orders and admin. Errors answer {code, message}.', version: '1' },
  });
  addRoutes(app, (api) => {
    authRoutes(api, deps.services, deps.tokens);
    accountRoutes(api, deps.services, deps.tokens);
    addressRoutes(api, deps.services, deps.tokens);
    goodsRoutes(api, deps.services);
    cartRoutes(api, deps.services, deps.tokens);
    orderRoutes(api, deps.services, deps.tokens, deps.faultInjection);
    adminRoutes(api, deps.services, deps.tokens);
    adminGoodsRoutes(api, deps.services, deps.tokens);
    afterSalesRoutes(api, deps.services, deps.tokens);
  });
  void app.register(fastifyStatic, { root: STOREFRONT_DIR, index: 'index.html', maxAge: 60_000 });
  void app.register(fastifyStatic, { root: ADMIN_DIR, prefix: '/admin/', index: 'index.html', maxAge: 60_000, decorateReply: false });
  app.get('/admin', async (_request, reply) => reply.redirect('/admin/'));
  const chartJs = readFileSync(CHART_JS);
  app.get('/admin/vendor/chart.umd.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(chartJs),
  );
  // apiDocs: whether the footer's links to the API reference lead anywhere (not on a production public port).
  app.get('/storefront.json', async () => ({ payWebUrl: deps.payWebUrl, apiDocs: deps.publicAdminRoutes ?? false }));
  return app;
}
