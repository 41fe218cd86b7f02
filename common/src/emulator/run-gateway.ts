/** The process around a local payment gateway: listen, say where, stop its timers and close on SIGTERM; `--check` validates only. */
import type { FastifyInstance } from 'fastify';
import { checkRequested, ConfigError, exitAfterStartupCheck } from '../config';
import { createLogger, type Logger } from '../log';

export interface GatewayProcess<C extends { host: string; port: number }> {
  /** The process's name, in logs and in `--check`'s report. */
  name: string;
  loadConfig: () => C;
  build(config: C, logger: Logger): { app: FastifyInstance; notifier: { stop(): void } };
  /** What the "listening" line says besides the URL. */
  describe(config: C): Record<string, unknown>;
}

export function runGateway<C extends { host: string; port: number; publicUrl: string }>(gateway: GatewayProcess<C>): void {
  // --check: the configuration and the key files it names, nothing started (config/startup-check.ts).
  if (checkRequested()) exitAfterStartupCheck(gateway.name, gateway.loadConfig);
  const main = async () => {
    const config = gateway.loadConfig();
    const logger = createLogger(gateway.name);
    const { app, notifier } = gateway.build(config, logger);
    await app.listen({ host: config.host, port: config.port });
    logger.info({ url: config.publicUrl, ...gateway.describe(config) }, `${gateway.name} listening`);
    const stop = () => {
      notifier.stop();
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  };
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
