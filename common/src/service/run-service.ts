/**
 * The life of a gRPC service process, the same for every service: open its admin listener
 * (metrics, livez, readyz), open its schema and apply its migrations, connect to ZooKeeper, let the
 * service register its handlers and start its consumers, serve (the providers registered with
 * the admin port as `metrics.port`), and on SIGTERM/SIGINT stop in the reverse order (RPC server
 * first, so that consumers of the registry stop sending, then message consumers, then
 * connections, the admin listener last). Its readiness (MySQL and RocketMQ answer; ZooKeeper
 * reported) is checked every second from start to stop, and grpc.health.v1 follows it.
 */
import type { Sequelize } from 'sequelize';
import { checkRequested, ConfigError, exitAfterStartupCheck } from '../config';
import { plantedDefects } from './planted';
import { openDatabase, runMigrations, type Migration } from '../db';
import { Health, mysqlCheck, rocketmqCheck, zookeeperCheck } from '../health';
import { SnowflakeGenerator } from '../ids';
import { createLogger, type Logger } from '../log';
import { startTracing } from '../trace/start-tracing';
import { AdminServer } from '../metrics';
import type { MqConnection } from '../mq';
import { RpcServer, RpcTransport, ZkRegistry } from '../rpc';
import type { ServiceConfig } from './service-config';
import { leaseWorkerId } from './worker-id';

export interface ServiceContext<C extends ServiceConfig = ServiceConfig> {
  config: C;
  logger: Logger;
  db: Sequelize;
  registry: ZkRegistry;
  ids: SnowflakeGenerator;
  mq: MqConnection;
  server: RpcServer;
  /** Mutual TLS as this service (for the clients it makes). */
  transport: RpcTransport;
  /** The admin listener (Prometheus /metrics, /livez, /readyz). */
  admin: AdminServer;
  /** The process's health (readiness and liveness), which a service may add checks to. */
  health: Health;
}

/** Something the service started and that must be stopped on the way out (a consumer, a relay). */
export interface Stoppable {
  shutdown(): Promise<void>;
}

export interface ServiceProcess<C extends ServiceConfig = ServiceConfig> {
  application: string;
  loadConfig(): C;
  migrations: Migration[];
  /** The largest request the RPC server takes (4 MiB by default, grpc's own). */
  maxRequestBytes?: number;
  /** Adds the service's handlers to `context.server` and starts its consumers. */
  setup(context: ServiceContext<C>): Promise<Stoppable[]>;
}

export async function startService<C extends ServiceConfig>(definition: ServiceProcess<C>): Promise<{ context: ServiceContext<C>; stop(): Promise<void> }> {
  const config = definition.loadConfig();
  if (plantedDefects().length > 0 && config.infra.env === 'production')
    throw new ConfigError([`SHOP_PLANTED_DEFECT (${plantedDefects().join(',')}) is for the chaos harness only; refused when NODE_ENV=production`]);
  const logger = createLogger(definition.application);
  if (plantedDefects().length > 0) logger.warn({ planted: plantedDefects() }, 'DEFECTS PLANTED ON PURPOSE (chaos harness): this process is wrong by design');
  // Not ready until the first round of checks, once everything is open.
  const health = new Health({ logger });
  // Tracing before anything is opened, so that the first statements and calls are traced too.
  const tracing = startTracing(definition.application, config.infra.tracing);
  const admin = await AdminServer.start({ host: config.adminHost, port: config.adminPort, logger, health });
  try {
    const service = await startServing(definition, config, logger, admin, health);
    // The spans still queued are exported on the way out.
    return { context: service.context, stop: () => service.stop().finally(() => tracing.shutdown()) };
  } catch (error) {
    health.stop();
    await admin.close();
    throw error;
  }
}

async function startServing<C extends ServiceConfig>(
  definition: ServiceProcess<C>,
  config: C,
  logger: Logger,
  admin: AdminServer,
  health: Health,
): Promise<{ context: ServiceContext<C>; stop(): Promise<void> }> {
  // First: missing certificates are a configuration error, reported before anything is opened.
  const transport = RpcTransport.fromConfig(config.infra.rpcTls, definition.application);
  if (!transport.secure) logger.warn('RPC_TLS=off: the gRPC port takes plain calls from anyone, without caller rules (development only)');
  const db = await openDatabase(config.infra.mysql, config.schema, logger);
  await runMigrations(db, definition.migrations, logger);
  const registry = await ZkRegistry.connect({ ...config.infra.zookeeper, logger });
  const workerId =
    config.workerId ??
    (await leaseWorkerId(registry, definition.application, process.pid % 1024, () => {
      // Another instance holds our worker id now: issuing more ids could duplicate its ids.
      logger.fatal('snowflake worker id lost to another instance; stopping');
      process.kill(process.pid, 'SIGTERM');
    }));
  logger.info({ workerId }, 'snowflake worker id');
  const server = new RpcServer({
    application: definition.application,
    registry,
    logger,
    transport,
    advertisedHost: config.advertiseHost,
    bindHost: config.rpcBindHost,
    port: config.rpcPort,
    maxRequestBytes: definition.maxRequestBytes,
    metricsPort: admin.port,
  });
  const context: ServiceContext<C> = {
    config,
    logger,
    db,
    registry,
    ids: new SnowflakeGenerator(workerId),
    mq: { ...config.infra.rocketmq, logger },
    server,
    transport,
    admin,
    health,
  };
  const started = await definition.setup(context);
  // After setup: the RocketMQ check asks for the route of a topic the service's clients use.
  health.add(mysqlCheck(config.infra.mysql)).add(rocketmqCheck(config.infra.rocketmq)).add(zookeeperCheck(registry));
  await health.start();
  server.setReady(health.ready);
  health.onChange((ready) => server.setReady(ready));
  await server.start();
  return {
    context,
    async stop() {
      health.beginDrain();
      await server.shutdown();
      for (const part of started.reverse()) await part.shutdown();
      registry.close();
      await db.close();
      health.stop();
      await admin.close();
    },
  };
}

/** Entry point of a service's main.ts: starts it, stops it on SIGTERM/SIGINT, exits on failure. */
export function runService<C extends ServiceConfig>(definition: ServiceProcess<C>): void {
  // --check: the configuration and the certificates it names, nothing connected (config/startup-check.ts).
  const { application, loadConfig } = definition;
  if (checkRequested()) exitAfterStartupCheck(application, () => RpcTransport.fromConfig(loadConfig().infra.rpcTls, application));
  startService(definition).then(
    ({ context, stop }) => {
      let stopping = false;
      const onSignal = (signal: string) => {
        if (stopping) return;
        stopping = true;
        context.logger.info({ signal }, 'shutting down');
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            context.logger.error({ err: error }, 'unclean shutdown');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
    },
    (error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    },
  );
}
