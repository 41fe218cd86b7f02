/** Wiring only: the goods service's handlers and its release consumer on the common runtime. */
import { runService } from '@shop/common/service';
import { goodsContract } from '@shop/contracts';
import { loadGoodsConfig } from './config';
import { startReleaseStockConsumer } from './mq/release-stock.consumer';
import { goodsHandlers } from './rpc/goods.handlers';
import { GoodsStore } from './store/goods-store';
import { goodsMigrations } from './store/migrations';

runService({
  application: 'goods',
  loadConfig: loadGoodsConfig,
  migrations: goodsMigrations,
  async setup({ config, db, ids, logger, mq, server }) {
    const store = new GoodsStore(db);
    server.addService(goodsContract, goodsHandlers(store, ids));
    return [await startReleaseStockConsumer(mq, store, logger, config.consumerGroup)];
  },
});
