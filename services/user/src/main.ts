/** Wiring only: the user service's handlers and its consumer (releases, points) on the common runtime. */
import { runService } from '@shop/common/service';
import { userContract } from '@shop/contracts';
import { loadUserConfig } from './config';
import { startUserConsumer } from './mq/user.consumer';
import { userHandlers } from './rpc/user.handlers';
import { UserStore } from './store/user-store';
import { userMigrations } from './store/migrations';

runService({
  application: 'user',
  loadConfig: loadUserConfig,
  migrations: userMigrations,
  async setup({ config, db, ids, logger, mq, server }) {
    const store = new UserStore(db);
    server.addService(userContract, userHandlers(store, ids));
    return [await startUserConsumer(mq, store, ids, logger, config.consumerGroup)];
  },
});
