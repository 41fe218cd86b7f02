/** Wiring only: clients of goods/coupon/user, the placement's half-message producer, the outbox relay. */
import { couponContract, createRpcClient, goodsContract, MqProducer, orderContract, OutboxRelay, runService, Tags, Topics, TransactionalProducer, userContract } from '@shop/common';
import { remoteCatalogue, remoteReservations } from './clients/remote-services';
import { loadOrderConfig, type OrderConfig } from './config';
import { checkPlacement } from './domain/placement-check';
import { startAbandonedOrderSweeper } from './mq/abandoned-order.sweeper';
import { startAutoCompleteSweeper } from './mq/auto-complete.sweeper';
import { startOrderConsumer } from './mq/order.consumer';
import { orderHandlers } from './rpc/order.handlers';
import { orderMigrations } from './store/migrations';
import { CartStore } from './store/cart-store';
import { OrderStore } from './store/order-store';

let config: OrderConfig;

runService({
  application: 'order',
  loadConfig: () => (config = loadOrderConfig()),
  migrations: orderMigrations,
  async setup({ db, ids, logger, mq, registry, server }) {
    const store = new OrderStore(db);
    const carts = new CartStore(db);
    const clientOptions = { application: 'order', registry, logger };
    const clients = {
      goods: await createRpcClient(goodsContract, clientOptions),
      coupon: await createRpcClient(couponContract, clientOptions),
      user: await createRpcClient(userContract, clientOptions),
    };
    const placementProducer = await TransactionalProducer.start(mq, Topics.ORDER_PLACEMENT, (message) =>
      checkPlacement(store, message.keys[0] ?? '', config.placementDeadlineMs),
    );
    const eventProducer = await MqProducer.start(mq, [Topics.ORDER_EVENTS]);
    const relay = new OutboxRelay({ sequelize: db, producer: eventProducer, logger });
    relay.start();
    const catalogue = remoteCatalogue(clients);
    const placement = {
      store,
      carts,
      ids,
      catalogue,
      reservations: remoteReservations(clients),
      sendCancelHalf: (orderId: string, userId: string) => placementProducer.sendHalf({ tag: Tags.ORDER_CANCEL, keys: [orderId], body: { orderId, userId } }),
      rules: config,
      payTimeoutSeconds: config.payTimeoutSeconds,
      logger,
    };
    server.addService(orderContract, orderHandlers({ store, ids, placement, cart: { carts, catalogue }, faultInjection: config.faultInjection, logger }));
    const consumer = await startOrderConsumer(mq, store, ids, logger, config.consumerGroup);
    const sweeper = startAbandonedOrderSweeper(store, ids, { ageMs: config.placementDeadlineMs * 3, intervalMs: config.sweepIntervalMs, logger });
    const autoComplete = startAutoCompleteSweeper(store, { days: config.autoCompleteDays, intervalMs: config.sweepIntervalMs, logger });
    // Stopped in reverse: clients, sweepers, consumer, relay (before its producer), producers.
    return [
      placementProducer,
      eventProducer,
      { shutdown: () => relay.stop() },
      consumer,
      sweeper,
      autoComplete,
      { shutdown: async () => void (await Promise.all(Object.values(clients).map((client) => client.$close()))) },
    ];
  },
});
