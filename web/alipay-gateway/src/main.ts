/** The local Alipay gateway process (port 7009). Never used in production: see docs/operations.md. */
import { checkRequested, ConfigError, exitAfterStartupCheck } from '@shop/common/config';
import { createLogger } from '@shop/common/log';
import { buildGateway } from './app';
import { loadGatewayConfig } from './config';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('alipay-gateway');
  const { app, notifier } = buildGateway(config, logger);
  await app.listen({ host: config.host, port: config.port });
  logger.info({ url: config.publicUrl, appId: config.appId }, 'alipay-gateway listening');
  const stop = () => {
    notifier.stop();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// --check: the configuration and the key files it names, nothing started (common/src/config/startup-check.ts).
if (checkRequested()) exitAfterStartupCheck('alipay-gateway', loadGatewayConfig);

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
