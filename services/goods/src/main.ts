/** Wiring only: config, database, registry, RPC server, release consumer, graceful shutdown. */
import { ConfigError, createLogger, goodsContract, openDatabase, RpcServer, runMigrations, SnowflakeGenerator, ZkRegistry } from '@shop/common';
import { loadGoodsConfig } from './config';
import { startReleaseStockConsumer } from './mq/release-stock.consumer';
import { goodsHandlers } from './rpc/goods.handlers';
import { GoodsStore } from './store/goods-store';
import { goodsMigrations } from './store/migrations';

async function main(): Promise<void> {
  const config = loadGoodsConfig();
  const logger = createLogger('goods');
  const db = await openDatabase(config.infra.mysql, config.schema, logger);
  await runMigrations(db, goodsMigrations, logger);
  const store = new GoodsStore(db);
  const registry = await ZkRegistry.connect({ ...config.infra.zookeeper, logger });
  const server = new RpcServer({ application: 'goods', registry, logger, advertisedHost: config.rpcHost, port: config.rpcPort });
  server.addService(goodsContract, goodsHandlers(store, new SnowflakeGenerator(config.workerId)));
  const consumer = await startReleaseStockConsumer({ ...config.infra.rocketmq, logger }, store, logger);
  await server.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await server.shutdown();
    await consumer.shutdown();
    registry.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
