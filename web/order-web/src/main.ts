/** Wiring only: order-web on the common front-door runtime. */
import { runFrontDoor } from '@shop/common/http';
import { buildOrderWeb } from './app';
import { closeServices, connectServices } from './clients';
import { loadOrderWebConfig } from './config';

runFrontDoor({
  application: 'order-web',
  loadConfig: loadOrderWebConfig,
  async setup({ config, logger, registry, transport, tokens, health }) {
    const services = await connectServices({ registry, logger, transport });
    const app = buildOrderWeb({
      services,
      tokens,
      logger,
      faultInjection: config.faultInjection,
      corsOrigins: config.corsOrigins,
      payWebUrl: config.payWebUrl,
      rateLimits: config.rateLimits,
      trustProxy: config.trustProxy,
      publicAdminRoutes: config.publicAdminRoutes,
      health,
    });
    return { app, close: () => closeServices(services) };
  },
});
