/**
 * The life of an HTTP front door, the same for order-web and pay-web: connect to ZooKeeper, let
 * the front door connect its service clients and build its app, listen, and on SIGTERM/SIGINT
 * stop accepting, finish the requests in flight, close the clients and the registry.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config';
import { createLogger, type Logger } from '../log';
import { ZkRegistry } from '../rpc';
import { TokenService } from './jwt';
import type { WebConfig } from './web-config';

export interface FrontDoor<C extends WebConfig = WebConfig> {
  application: string;
  loadConfig(): C;
  /** Connects the clients and builds the app; `close` runs after the server stopped. */
  setup(context: { config: C; logger: Logger; registry: ZkRegistry; tokens: TokenService }): Promise<{ app: FastifyInstance; close(): Promise<void> }>;
}

export function runFrontDoor<C extends WebConfig>(definition: FrontDoor<C>): void {
  const start = async () => {
    const config = definition.loadConfig();
    const logger = createLogger(definition.application);
    const registry = await ZkRegistry.connect({ ...config.infra.zookeeper, logger });
    const tokens = new TokenService(config.jwtSecret, config.jwtTtlSeconds);
    const { app, close } = await definition.setup({ config, logger, registry, tokens });
    await app.listen({ host: config.host, port: config.port });
    logger.info({ url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}` }, `${definition.application} listening`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      app
        .close()
        .then(close)
        .then(() => registry.close())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'unclean shutdown');
            process.exit(1);
          },
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  };
  start().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
