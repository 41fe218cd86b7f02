/** order-web's HTTP app: the shared frame plus its routes. Built separately from main for tests. */
import { createHttpApp, type Logger, type TokenService } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import type { Services } from './clients';
import { accountRoutes } from './routes/account.routes';
import { adminRoutes } from './routes/admin.routes';
import { authRoutes } from './routes/auth.routes';
import { goodsRoutes } from './routes/goods.routes';
import { orderRoutes } from './routes/orders.routes';

export function buildOrderWeb(deps: { services: Services; tokens: TokenService; logger: Logger; faultInjection: boolean }): FastifyInstance {
  const app = createHttpApp({ logger: deps.logger });
  authRoutes(app, deps.services, deps.tokens);
  accountRoutes(app, deps.services, deps.tokens);
  goodsRoutes(app, deps.services);
  orderRoutes(app, deps.services, deps.tokens, deps.faultInjection);
  adminRoutes(app, deps.services, deps.tokens);
  return app;
}
