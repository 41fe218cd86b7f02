/** Wiring only: pay-web on the common front-door runtime. */
import { runFrontDoor, STANDING_LOOKUP_TIMEOUT_MS, UserStanding } from '@shop/common/http';
import { buildPayWeb } from './app';
import { connectPay, connectUser } from './clients';
import { loadPayWebConfig } from './config';

runFrontDoor({
  application: 'pay-web',
  loadConfig: loadPayWebConfig,
  async setup({ config, logger, registry, transport, tokens, health }) {
    const payments = await connectPay({ registry, logger, transport });
    const users = await connectUser({ registry, logger, transport });
    const standing = new UserStanding((userId) => users.getStanding({ userId }, { timeoutMs: STANDING_LOOKUP_TIMEOUT_MS }), { logger });
    return {
      app: buildPayWeb({
        payments,
        tokens,
        logger,
        corsOrigins: config.corsOrigins,
        faultInjection: config.faultInjection,
        standing,
        rateLimits: config.rateLimits,
        trustProxy: config.trustProxy,
        publicAdminRoutes: config.publicAdminRoutes,
        health,
      }),
      close: async () => {
        await payments.$close();
        await users.$close();
      },
    };
  },
});
