/**
 * The release side of order placement, shared by every service that reserves something for an
 * order (stock, coupon, balance): on the committed `order.cancel` half message of a failed
 * placement, or the `order.cancelled` event of a confirmed order cancelled later, release what
 * this service's own records say the order took, effectively once (consume log in the same
 * transaction as the release; the release ledger makes the two messages release once in all).
 */
import type { Logger } from '@shop/common/log';
import { startServiceConsumer, type AnyEventHandler, type MqConnection, type MqConsumer } from '@shop/common/mq';
import type { Sequelize, Transaction } from 'sequelize';
import { eventsOf } from './event-bus';
import { Tags } from './topics';

/** Releases the order inside the given transaction; what it returns is logged. */
export type Release = (transaction: Transaction, orderId: string) => Promise<Record<string, unknown>>;

/** The services that reserve something for an order. */
export type Releaser = 'goods' | 'coupon' | 'user';

/** The two handlers that release an order: order.cancel (placement) and order.cancelled (later). */
export function orderReleaseHandlers(service: Releaser, release: Release, logger: Logger): AnyEventHandler[] {
  const events = eventsOf(service);
  const handle = async (tx: Transaction, body: { orderId: string }) =>
    logger.info({ orderId: body.orderId, ...(await release(tx, body.orderId)) }, 'order released');
  return [events.on(Tags.ORDER_CANCEL, { handle }), events.on(Tags.ORDER_CANCELLED, { handle })];
}

export interface OrderCancelConsumerOptions {
  service: Releaser;
  /** The service's consumer group (clustering: one instance handles each message). */
  group: string;
  sequelize: Sequelize;
  logger: Logger;
  release: Release;
  /** The service's other handlers, on the same consumer group. */
  more?: AnyEventHandler[];
}

export function startOrderCancelConsumer(connection: MqConnection, options: OrderCancelConsumerOptions): Promise<MqConsumer> {
  const { group, sequelize, logger } = options;
  const handlers = [...orderReleaseHandlers(options.service, options.release, logger), ...(options.more ?? [])];
  return startServiceConsumer(connection, { group, sequelize, logger, handlers });
}
