/** The local Alipay gateway process (port 7009). Never used in production: see docs/operations.md. */
import { runGateway } from '@shop/common/emulator';
import { buildGateway } from './app';
import { loadGatewayConfig } from './config';

runGateway({
  name: 'alipay-gateway',
  loadConfig: () => loadGatewayConfig(),
  build: buildGateway,
  describe: (config) => ({ appId: config.appId }),
});
