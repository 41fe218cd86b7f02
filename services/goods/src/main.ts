/** Wiring only: the goods service's handlers and its release consumer on the common runtime. */
import { runService } from '@shop/common/service';
import { goodsContract } from '@shop/contracts';
import { loadGoodsConfig } from './config';
import { openImageStore } from './images/image-store';
import { sharpResizer } from './images/sharp-resizer';
import { startReleaseStockConsumer } from './mq/release-stock.consumer';
import { goodsHandlers } from './rpc/goods.handlers';
import { GoodsStore } from './store/goods-store';
import { goodsMigrations } from './store/migrations';

runService({
  application: 'goods',
  loadConfig: loadGoodsConfig,
  migrations: goodsMigrations,
  // A picture upload (at most 5 MiB) travels in one message.
  maxRequestBytes: 8 * 1024 * 1024,
  async setup({ config, db, ids, logger, mq, server }) {
    const store = new GoodsStore(db);
    server.addService(goodsContract, goodsHandlers(store, ids, openImageStore(config.images), sharpResizer));
    return [await startReleaseStockConsumer(mq, store, logger, config.consumerGroup)];
  },
});
