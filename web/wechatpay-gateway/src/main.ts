/** The local WeChat Pay gateway process (port 7010). Never used in production: see README.md. */
import { runGateway } from '@shop/common/emulator';
import { buildGateway } from './app';
import { loadGatewayConfig } from './config';

runGateway({
  name: 'wechatpay-gateway',
  loadConfig: () => loadGatewayConfig(),
  build: buildGateway,
  describe: (config) => ({ mchid: config.mchid, signWith: config.signWith }),
});
