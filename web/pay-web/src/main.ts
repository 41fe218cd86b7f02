/** Wiring only: pay-web on the common front-door runtime. */
import { runFrontDoor } from '@shop/common/http';
import { buildPayWeb } from './app';
import { connectPay } from './clients';
import { loadPayWebConfig } from './config';

runFrontDoor({
  application: 'pay-web',
  loadConfig: loadPayWebConfig,
  async setup({ config, logger, registry, tokens }) {
    const payments = await connectPay(registry, logger);
    return {
      app: buildPayWeb({ payments, tokens, logger, corsOrigins: config.corsOrigins, faultInjection: config.faultInjection }),
      close: () => payments.$close(),
    };
  },
});
