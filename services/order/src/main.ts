/** Wiring only: clients of goods/coupon/user/pay, the placement's half-message producer, the outbox relay, consumer and sweepers. */
import { MqProducer, OutboxRelay, TransactionalProducer } from '@shop/common/mq';
import { createRpcClient } from '@shop/common/rpc';
import { runService } from '@shop/common/service';
import { couponContract, goodsContract, orderContract, payContract, Tags, Topics, userContract } from '@shop/contracts';
import { pay as payProto } from '@shop/proto';
import { recentCatalogue } from './clients/recent-goods';
import { remoteCatalogue, remoteReservations } from './clients/remote-services';
import { loadOrderConfig, type OrderConfig } from './config';
import type { PaySettlement, Settlement, SettlementAnswer } from './domain/pay-deadline';
import { orderEvents } from './domain/order-events';
import { checkPlacement } from './domain/placement-check';
import { startAbandonedOrderSweeper } from './mq/abandoned-order.sweeper';
import { startAutoCompleteSweeper } from './mq/auto-complete.sweeper';
import { startOrderConsumer } from './mq/order.consumer';
import { orderHandlers } from './rpc/order.handlers';
import { orderMigrations } from './store/migrations';
import { CartStore } from './store/cart-store';
import { OrderStore } from './store/order-store';
import { RefundStore } from './store/refund-store';

let config: OrderConfig;

const SETTLEMENTS = new Map<payProto.Settlement, Settlement>([
  [payProto.Settlement.NO_PAYMENT, 'NO_PAYMENT'],
  [payProto.Settlement.SETTLED_PAID, 'PAID'],
  [payProto.Settlement.SETTLED_CLOSED, 'CLOSED'],
  [payProto.Settlement.SETTLEMENT_OPEN, 'OPEN'],
]);

/**
 * SettleOrderPayment's answer for the domain. PAID without the payment that took the money is
 * thrown rather than applied: the order would record no payment, and so keep another one too.
 */
function settlementAnswer(orderId: string, { settlement, paymentId }: payProto.SettleOrderPaymentResponse): SettlementAnswer {
  const answer = SETTLEMENTS.get(settlement) ?? 'OPEN';
  if (answer !== 'PAID') return { settlement: answer };
  if (!paymentId) throw new Error(`the pay service settled order ${orderId} as paid without naming its payment`);
  return { settlement: answer, paymentId };
}

runService({
  application: 'order',
  loadConfig: () => (config = loadOrderConfig()),
  migrations: orderMigrations,
  async setup({ db, ids, logger, mq, registry, server, transport }) {
    const store = new OrderStore(db);
    const carts = new CartStore(db);
    const refunds = new RefundStore(db);
    const clientOptions = { application: 'order', registry, logger, transport, consumerHost: config.advertiseHost };
    const clients = {
      goods: await createRpcClient(goodsContract, clientOptions),
      coupon: await createRpcClient(couponContract, clientOptions),
      user: await createRpcClient(userContract, clientOptions),
      pay: await createRpcClient(payContract, clientOptions),
    };
    const pay: PaySettlement = {
      settle: async (orderId) => settlementAnswer(orderId, await clients.pay.settleOrderPayment({ orderId })),
    };
    const placementProducer = await TransactionalProducer.start(mq, Topics.ORDER_PLACEMENT, (message) =>
      checkPlacement(store, ids, message.keys[0] ?? '', config.placementDeadlineMs),
    );
    const eventProducer = await MqProducer.start(mq, [Topics.ORDER_EVENTS, Topics.ORDER_TIMERS]);
    const relay = new OutboxRelay({ sequelize: db, producer: eventProducer, logger });
    relay.start();
    const catalogue = recentCatalogue(remoteCatalogue(clients), config.catalogueRecentMs);
    const placement = {
      store,
      carts,
      ids,
      catalogue,
      reservations: remoteReservations(clients),
      sendCancelHalf: (orderId: string, userId: string) => placementProducer.sendHalf(orderEvents.half(Tags.ORDER_CANCEL, { orderId, userId })),
      rules: config,
      payTimeoutSeconds: config.payTimeoutSeconds,
      payExpiryMarginSeconds: config.payExpiryMarginSeconds,
      logger,
    };
    const afterSales = { store, refunds, ids, windowDays: config.afterSalesDays };
    server.addService(
      orderContract,
      orderHandlers({ store, ids, placement, cart: { carts, catalogue }, afterSales, faultInjection: config.faultInjection, logger }),
    );
    const consumer = await startOrderConsumer(mq, { store, refunds, ids, pay, logger }, config.consumerGroup);
    const sweeper = startAbandonedOrderSweeper({ store, ids, pay, logger }, { ageMs: config.placementDeadlineMs * 3, intervalMs: config.sweepIntervalMs });
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
