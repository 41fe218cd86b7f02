/**
 * The life of an HTTP front door, the same for order-web and pay-web: connect to ZooKeeper, let
 * the front door connect its service clients and build its app, open its admin listener, listen,
 * and on SIGTERM/SIGINT fail readiness first and go on serving for the drain period (the load
 * balancer stops sending), then stop accepting, finish the requests in flight, close the clients
 * and the registry, the admin listener last. Readiness (/readyz on both ports): every service it
 * calls has a provider; ZooKeeper reported only.
 */
import type { FastifyInstance } from 'fastify';
import { checkRequested, ConfigError, exitAfterStartupCheck } from '../config';
import { Health, zookeeperCheck } from '../health';
import { createLogger, type Logger } from '../log';
import { startTracing } from '../trace/start-tracing';
import { RpcTransport, ZkRegistry } from '../rpc';
import { startAdminListener } from './admin-listener';
import { TokenService } from './jwt';
import type { WebConfig } from './web-config';

export interface FrontDoor<C extends WebConfig = WebConfig> {
  application: string;
  loadConfig(): C;
  /** Connects the clients and builds the app; `close` runs after the server stopped. */
  setup(context: {
    config: C;
    logger: Logger;
    registry: ZkRegistry;
    transport: RpcTransport;
    tokens: TokenService;
    /** The process's health: the app hands it to createHttpApp, whose /readyz answers it. */
    health: Health;
  }): Promise<{ app: FastifyInstance; close(): Promise<void> }>;
}

export function runFrontDoor<C extends WebConfig>(definition: FrontDoor<C>): void {
  // --check: the configuration and the certificates it names, nothing connected (config/startup-check.ts).
  const { application, loadConfig } = definition;
  if (checkRequested()) exitAfterStartupCheck(application, () => RpcTransport.fromConfig(loadConfig().infra.rpcTls, application));
  const start = async () => {
    const config = definition.loadConfig();
    const logger = createLogger(definition.application);
    const tracing = startTracing(definition.application, config.infra.tracing);
    // The front door calls the services as itself (mutual TLS, identity = its application name).
    const transport = RpcTransport.fromConfig(config.infra.rpcTls, definition.application);
    const registry = await ZkRegistry.connect({ ...config.infra.zookeeper, logger });
    const tokens = new TokenService(config.jwtSecret, config.jwtTtlSeconds);
    const health = new Health({ logger }).add(zookeeperCheck(registry));
    const { app, close } = await definition.setup({ config, logger, registry, transport, tokens, health });
    await health.start();
    // The admin listener (/metrics, /docs) first, as the services open theirs: what a scrape sees
    // covers the whole life of the public port.
    const admin = await startAdminListener(app, { ...config.admin, logger });
    await app.listen({ host: config.host, port: config.port });
    logger.info({ url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}` }, `${definition.application} listening`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, drainMs: config.drainMs }, 'shutting down: not ready, draining');
      health.beginDrain();
      new Promise((resolve) => setTimeout(resolve, config.drainMs))
        .then(() => app.close())
        .then(close)
        .then(() => registry.close())
        .then(() => health.stop())
        .then(() => admin.close())
        .then(() => tracing.shutdown())
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
