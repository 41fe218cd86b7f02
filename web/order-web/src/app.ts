/** order-web's HTTP app: the shared frame, its API routes, the storefront page. Built separately from main for tests. */
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { addRoutes, createHttpApp, type TokenService } from '@shop/common/http';
import type { Logger } from '@shop/common/log';
import type { FastifyInstance } from 'fastify';
import { missingProviders, type Services } from './clients';
import { accountRoutes } from './routes/account.routes';
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
  /** Where the storefront finds pay-web; empty: the page's own host on port 7002. */
  payWebUrl: string;
}

/** The storefront: static files with no build step, in web/order-web/storefront. */
const STOREFRONT_DIR = join(__dirname, '..', 'storefront');

export function buildOrderWeb(deps: OrderWebDeps): FastifyInstance {
  const app = createHttpApp({
    logger: deps.logger,
    corsOrigins: deps.corsOrigins,
    readiness: () => missingProviders(deps.services),
    docs: { title: 'Shop order-web', description: 'Users, goods, cart, orders and admin. Errors answer {code, message}.', version: '1' },
  });
  addRoutes(app, (api) => {
    authRoutes(api, deps.services, deps.tokens);
    accountRoutes(api, deps.services, deps.tokens);
    goodsRoutes(api, deps.services);
    cartRoutes(api, deps.services, deps.tokens);
    orderRoutes(api, deps.services, deps.tokens, deps.faultInjection);
    adminRoutes(api, deps.services, deps.tokens);
    afterSalesRoutes(api, deps.services, deps.tokens);
  });
  void app.register(fastifyStatic, { root: STOREFRONT_DIR, index: 'index.html', maxAge: 60_000 });
  app.get('/storefront.json', async () => ({ payWebUrl: deps.payWebUrl }));
  return app;
}
