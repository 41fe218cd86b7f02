/**
 * One consumer per service: RocketMQ wants every consumer of a group to subscribe to the same
 * topics and tags, so a service that reacts to several events (the user service releases
 * balance on order.cancel and adds points on order.paid) has one clustering consumer group with
 * one subscription set, and dispatches each message to its handler by topic and tag. Every
 * handler runs effectively once: inside consumeOnce, in the same DB transaction as the consume
 * log row.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../log';
import { consumeOnce } from './consume-log';
import { MqConsumer } from './mq-consumer';
import type { MqConnection } from './mq-lifecycle';
import type { ReceivedMessage } from './mq-message';

export interface EventHandler<Prepared = unknown> {
  topic: string;
  tag: string;
  /**
   * The effect, inside the consume-log transaction; throw to have the message redelivered.
   * `prepared` is what `before` returned for this delivery.
   */
  handle(transaction: Transaction, message: ReceivedMessage, prepared: Prepared): Promise<void>;
  /**
   * Work run on every delivery before that transaction, for effects that are idempotent by
   * themselves and must not hold a database connection while they wait (calls to Alipay or to
   * another service, or code that opens transactions of its own). Throw to have the message
   * redelivered.
   */
  before?(message: ReceivedMessage): Promise<Prepared>;
}

/** Types a handler whose `before` prepares something for its `handle`, for a mixed handler list. */
export function withPreparation<Prepared>(handler: EventHandler<Prepared>): EventHandler {
  return handler as EventHandler;
}

export interface ServiceConsumerOptions {
  group: string;
  sequelize: Sequelize;
  logger: Logger;
  handlers: EventHandler[];
}

export function startServiceConsumer(connection: MqConnection, options: ServiceConsumerOptions): Promise<MqConsumer> {
  const { group, sequelize, logger, handlers } = options;
  const subscriptions: Record<string, string> = {};
  for (const { topic, tag } of handlers) subscriptions[topic] = subscriptions[topic] ? `${subscriptions[topic]}||${tag}` : tag;
  return MqConsumer.start(connection, {
    group,
    subscriptions,
    handle: async (message) => {
      const handler = handlers.find((h) => h.topic === message.topic && h.tag === message.tag);
      if (!handler) {
        logger.warn({ topic: message.topic, tag: message.tag }, 'message with no handler; acknowledged');
        return;
      }
      if (!message.keys[0]) {
        // Redelivering a message without a key cannot fix it: log it loudly and let it go.
        logger.error({ topic: message.topic, tag: message.tag, messageId: message.messageId }, 'message without a key; dropped');
        return;
      }
      const prepared = await handler.before?.(message);
      const outcome = await consumeOnce(sequelize, group, message, (tx) => handler.handle(tx, message, prepared));
      if (outcome === 'duplicate') logger.debug({ tag: message.tag, key: message.keys[0] }, 'already handled');
    },
  });
}
