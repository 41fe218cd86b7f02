/**
 * The pay domain wired to its fakes, as main.ts wires it to SQL, Alipay and RPC: one database
 * (payments and refunds), one Alipay, the other services, and the pay.timeout half messages.
 */
import { DomainError } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import type { HalfMessage, OutgoingMessage } from '@shop/common/mq';
import pino from 'pino';
import { AlipayChannel } from '../../../src/channels/alipay-channel';
import { ChannelRegistry } from '../../../src/channels/channel-registry';
import { handleNotification, type NotificationDeps } from '../../../src/domain/notifications';
import { applyPayment, createPayment, type PaymentDeps } from '../../../src/domain/payments';
import type { PaymentChannel } from '../../../src/domain/ports';
import { runRefund } from '../../../src/domain/refund-runner';
import type { RefundRequestDeps } from '../../../src/domain/refunds';
import { FakeAlipay } from './fake-alipay';
import { DbClock, MemoryPayments, MemoryRefunds } from './memory-pay-store';
import { OrderSide } from './order-side';

export const silentLogger: Logger = pino({ level: 'silent' });

export const LEASE_MS = 30_000;

/** `more`: channels besides Alipay (a second channel for the switching specs); `downForMs`: how long a failing channel is marked down. */
export function payWorld(more: PaymentChannel[] = [], { downForMs = 30_000 } = {}) {
  const ids = new SnowflakeGenerator(11);
  const clock = new DbClock();
  const refunds = new MemoryRefunds(clock);
  const store = new MemoryPayments(clock, refunds);
  const alipay = new FakeAlipay();
  const orders = new OrderSide(ids);
  /** The pay.timeout half messages sent, by payment id. */
  const halves = new Map<string, string>();
  const channels = new ChannelRegistry(
    [new AlipayChannel(alipay, 'http://pay-web.test/api/v1/notify/alipay', silentLogger), ...more],
    { enabled: ['ALIPAY_QR', ...more.map((channel) => channel.name)], maxAmount: {}, downForMs },
    silentLogger,
  );
  const deps: PaymentDeps & RefundRequestDeps & NotificationDeps = {
    store,
    refunds,
    ids,
    channels,
    parties: orders.parties,
    logger: silentLogger,
    leaseMs: LEASE_MS,
    expiryMarginMs: 10_000,
    readOrder: orders.readOrder,
    resumeRefund: async (refundId: string) => {
      await refunds.wake(refundId);
      if (await refunds.claim(refundId, LEASE_MS)) await runRefund(deps, refundId);
    },
    sendTimeoutHalf: async (paymentId: string, orderId: string): Promise<HalfMessage> => {
      halves.set(paymentId, orderId);
      return { messageId: `half-${paymentId}`, commit: async () => undefined, rollback: async () => undefined };
    },
  };
  return { ids, clock, store, refunds, alipay, orders, halves, deps, userId: ids.next() };
}

export type PayWorld = ReturnType<typeof payWorld>;

/** A confirmed order of the world's user and its payment, its QR code handed out. */
export async function openPayment(world: PayWorld, payAmount = '48.00', options: Parameters<OrderSide['addOrder']>[2] = {}) {
  const order = world.orders.addOrder(world.userId, payAmount, options);
  const payment = await createPayment(world.deps, { orderId: order.orderId, userId: world.userId });
  if (payment instanceof DomainError) throw new Error(`no payment: ${payment.message}`);
  return { order, paymentId: payment.paymentId };
}

/**
 * A PAID order: its payment paid at Alipay and applied, and the order service having taken it
 * (what pay.succeeded makes it do).
 */
export async function paidOrder(world: PayWorld, payAmount = '48.00', options: Parameters<OrderSide['addOrder']>[2] = {}) {
  const { order, paymentId } = await openPayment(world, payAmount, options);
  const trade = world.alipay.pay(paymentId);
  const payment = (await world.store.findPayment(paymentId))!;
  await applyPayment(world.store, world.ids, payment, trade.tradeNo);
  world.orders.orders.get(order.orderId)!.status = 'PAID';
  return { order, paymentId };
}

/** The tags of the outbox, in the order they were written. */
export const tags = (store: MemoryPayments): string[] => store.outbox.map((message: OutgoingMessage) => message.tag);

/** An Alipay notification handled as pay-web's route answers it: "success" or "failure". */
export async function alipayReply(deps: NotificationDeps, fields: Record<string, string>): Promise<'success' | 'failure'> {
  return (await handleNotification(deps, 'ALIPAY_QR', { form: fields })) === 'ACK' ? 'success' : 'failure';
}
