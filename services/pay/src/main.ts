/** Wiring only: Alipay client, order and user clients, the pay.timeout producer, consumer, sweeper, relay. */
import { createRpcClient, MqProducer, orderContract, OutboxRelay, payContract, runService, Tags, Topics, TransactionalProducer, userContract } from '@shop/common';
import { order as orderProto } from '@shop/proto';
import { AlipayClient } from './alipay/alipay-client';
import { loadPayConfig, type PayConfig } from './config';
import type { OrderFacts } from './domain/payments';
import { checkPaymentTimeout } from './mq/payment-check';
import { startOverduePaymentSweeper } from './mq/overdue-payment.sweeper';
import { startPayConsumer } from './mq/pay.consumer';
import { payHandlers } from './rpc/pay.handlers';
import { payMigrations } from './store/migrations';
import { PayStore } from './store/pay-store';

let config: PayConfig;

runService({
  application: 'pay',
  loadConfig: () => (config = loadPayConfig()),
  migrations: payMigrations,
  async setup({ db, ids, logger, mq, registry, server }) {
    const store = new PayStore(db);
    const alipay = new AlipayClient(config.alipay);
    const clientOptions = { application: 'pay', registry, logger };
    const orders = await createRpcClient(orderContract, clientOptions);
    const users = await createRpcClient(userContract, clientOptions);
    const base = { store, ids, alipay, logger };
    const timeoutProducer = await TransactionalProducer.start(mq, Topics.PAY_TIMEOUT, (message) => checkPaymentTimeout(base, message));
    const eventProducer = await MqProducer.start(mq, [Topics.PAY_EVENTS]);
    const relay = new OutboxRelay({ sequelize: db, producer: eventProducer, logger });
    relay.start();
    const readOrder = async (orderId: string, userId: string): Promise<OrderFacts> => {
      const order = await orders.getOrder({ orderId, userId });
      return { orderId: order.orderId, userId: order.userId, status: orderProto.orderStatusToJSON(order.status), payAmount: order.payAmount, balancePaid: order.balancePaid, payDeadline: order.payDeadline };
    };
    server.addService(
      payContract,
      payHandlers({
        ...base,
        readOrder,
        notifyUrl: config.notifyUrl,
        sendTimeoutHalf: (paymentId, orderId) => timeoutProducer.sendHalf({ tag: Tags.PAY_TIMEOUT, keys: [paymentId], body: { paymentId, orderId } }),
        refundBalance: async (input) => void (await users.refundBalance(input)),
        deductPoints: async (input) => void (await users.deductPoints(input)),
      }),
    );
    const consumer = await startPayConsumer(mq, base, config.consumerGroup);
    const sweeper = startOverduePaymentSweeper(base, { graceMs: 60_000, intervalMs: config.sweepIntervalMs });
    // Stopped in reverse: clients, sweeper, consumer, relay (before its producer), producers.
    return [
      timeoutProducer,
      eventProducer,
      { shutdown: () => relay.stop() },
      consumer,
      sweeper,
      { shutdown: async () => void (await Promise.all([orders.$close(), users.$close()])) },
    ];
  },
});
