/** Wiring only: the user service's handlers and its consumer (releases, points) on the common runtime. */
import { runService } from '@shop/common/service';
import { userContract } from '@shop/contracts';
import { loadUserConfig } from './config';
import { startUserConsumer } from './mq/user.consumer';
import { userHandlers } from './rpc/user.handlers';
import { SessionStore } from './store/session-store';
import { UserStore } from './store/user-store';
import { userMigrations } from './store/migrations';

runService({
  application: 'user',
  loadConfig: loadUserConfig,
  migrations: userMigrations,
  async setup({ config, db, ids, logger, mq, server }) {
    const store = new UserStore(db);
    const sessions = { users: store, sessions: new SessionStore(db), ids, settings: config.sessions };
    server.addService(userContract, userHandlers(store, ids, sessions));
    return [await startUserConsumer(mq, store, ids, logger, config.consumerGroup)];
  },
});
