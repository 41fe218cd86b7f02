/** Wiring only: the payment channels, the clients of the other services, the pay.timeout producer, consumer, sweepers, relay. */
import { AppError, DomainError, ErrorCode } from '@shop/common/errors';
import { MqProducer, OutboxRelay, TransactionalProducer } from '@shop/common/mq';
import { createRpcClient } from '@shop/common/rpc';
import { runService } from '@shop/common/service';
import { couponContract, goodsContract, orderContract, payContract, Topics, userContract } from '@shop/contracts';
import { order as orderProto } from '@shop/proto';
import { AlipayClient } from './alipay/alipay-client';
import { AlipayChannel } from './channels/alipay-channel';
import { ChannelRegistry } from './channels/channel-registry';
import { WechatPayChannel } from './channels/wechatpay-channel';
import { loadPayConfig, type PayConfig } from './config';
import { paymentTimeoutHalf } from './domain/pay-events';
import type { OrderFacts, PaymentChannel, RefundParties } from './domain/ports';
import { runRefund } from './domain/refund-runner';
import { checkPaymentTimeout } from './mq/payment-check';
import { startOverduePaymentSweeper } from './mq/overdue-payment.sweeper';
import { startPayConsumer } from './mq/pay.consumer';
import { startRefundSweeper } from './mq/refund.sweeper';
import { payHandlers } from './rpc/pay.handlers';
import { payMigrations } from './store/migrations';
import { PayStore } from './store/pay-store';
import { watchUnfinishedRefunds } from './pay-metrics';
import { RefundStore } from './store/refund-store';
import { WechatPayClient } from './wechatpay/wechatpay-client';

let config: PayConfig;

/** A refusal of the order service (its rules) comes back as a value; anything else is thrown. */
async function refusalOr<T>(call: Promise<T>): Promise<T | DomainError> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AppError && error.code !== ErrorCode.UNAVAILABLE && error.code !== ErrorCode.INTERNAL)
      return new DomainError(error.code, error.message);
    throw error;
  }
}

runService({
  application: 'pay',
  loadConfig: () => (config = loadPayConfig()),
  migrations: payMigrations,
  async setup({ db, ids, logger, mq, registry, server, transport }) {
    const store = new PayStore(db);
    const refunds = new RefundStore(db);
    watchUnfinishedRefunds(() => refunds.unfinished());
    const known: PaymentChannel[] = [new AlipayChannel(new AlipayClient(config.alipay), config.notifyUrl, logger)];
    if (config.wechatPay) known.push(new WechatPayChannel(new WechatPayClient(config.wechatPay), config.wechatPayNotifyUrl, logger));
    const channels = new ChannelRegistry(known, config.channelRules, logger);
    const clientOptions = { application: 'pay', registry, logger, transport, consumerHost: config.advertiseHost };
    const clients = {
      order: await createRpcClient(orderContract, clientOptions),
      user: await createRpcClient(userContract, clientOptions),
      goods: await createRpcClient(goodsContract, clientOptions),
      coupon: await createRpcClient(couponContract, clientOptions),
    };
    const readOrder = async (orderId: string, userId: string): Promise<OrderFacts> => {
      const order = await clients.order.getOrder({ orderId, userId });
      const status = orderProto.orderStatusToJSON(order.status);
      return {
        orderId: order.orderId,
        userId: order.userId,
        status,
        payAmount: order.payAmount,
        balancePaid: order.balancePaid,
        payDeadline: order.payDeadline,
        refundedAmount: order.refundedAmount,
        traceParent: order.traceParent,
        paymentId: order.paymentId,
      };
    };
    const parties: RefundParties = {
      holdRefund: async ({ kind, ...request }) =>
        refusalOr(
          clients.order.holdRefund({
            ...request,
            kind: kind === 'CUSTOMER' ? orderProto.RefundKind.REFUND_CUSTOMER : orderProto.RefundKind.REFUND_AFTER_SALES,
          }),
        ),
      refundBalance: async (input) => void (await clients.user.refundBalance(input)),
      deductPoints: async (input) => void (await clients.user.deductPoints(input)),
      returnStock: async (input) => void (await clients.goods.returnStock(input)),
      releaseCoupon: async (orderId) => void (await clients.coupon.releaseCoupon({ orderId })),
      finishRefund: async ({ refundId, status, reason }) => void (await clients.order.finishRefund({ refundId, status, reason })),
    };
    const settle = { store, ids, channels, logger, expiryMarginMs: config.payExpiryMarginSeconds * 1000 };
    const runner = { ...settle, refunds, parties, leaseMs: config.refundLeaseMs };
    /** A refund notification: the refund is carried on now, unless another runner holds it. */
    const resumeRefund = async (refundId: string) => {
      await refunds.wake(refundId);
      if (await refunds.claim(refundId, config.refundLeaseMs)) await runRefund(runner, refundId);
    };
    const timeoutProducer = await TransactionalProducer.start(mq, Topics.PAY_TIMEOUT, (message) => checkPaymentTimeout(settle, message));
    const eventProducer = await MqProducer.start(mq, [Topics.PAY_EVENTS]);
    const relay = new OutboxRelay({ sequelize: db, producer: eventProducer, logger });
    relay.start();
    server.addService(
      payContract,
      payHandlers({
        ...runner,
        readOrder,
        resumeRefund,
        sendTimeoutHalf: (paymentId, orderId) => timeoutProducer.sendHalf(paymentTimeoutHalf(paymentId, orderId)),
        faultInjection: config.faultInjection,
      }),
    );
    const consumer = await startPayConsumer(mq, runner, config.consumerGroup);
    const paymentSweeper = startOverduePaymentSweeper(settle, { graceMs: 60_000, intervalMs: config.sweepIntervalMs });
    const refundSweeper = startRefundSweeper(runner, { intervalMs: config.sweepIntervalMs });
    // Stopped in reverse: clients, sweepers, consumer, relay (before its producer), producers.
    return [
      timeoutProducer,
      eventProducer,
      { shutdown: () => relay.stop() },
      consumer,
      paymentSweeper,
      refundSweeper,
      { shutdown: async () => void (await Promise.all(Object.values(clients).map((client) => client.$close()))) },
    ];
  },
});
