/** Wiring only: the coupon service's handlers and its release consumer on the common runtime. */
import { runService } from '@shop/common/service';
import { couponContract } from '@shop/contracts';
import { loadCouponConfig } from './config';
import { startReleaseCouponConsumer } from './mq/release-coupon.consumer';
import { couponHandlers } from './rpc/coupon.handlers';
import { CouponStore } from './store/coupon-store';
import { couponMigrations } from './store/migrations';

runService({
  application: 'coupon',
  loadConfig: loadCouponConfig,
  migrations: couponMigrations,
  async setup({ config, db, ids, logger, mq, server }) {
    const store = new CouponStore(db);
    server.addService(couponContract, couponHandlers(store, ids));
    return [await startReleaseCouponConsumer(mq, store, logger, config.consumerGroup)];
  },
});
