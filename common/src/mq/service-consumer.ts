/**
 * One consumer per service: RocketMQ wants every consumer of a group to subscribe to the same
 * topics and tags, so a service that reacts to several events (the user service releases
 * balance on order.cancel and adds points on order.paid) has one clustering consumer group with
 * one subscription set, and dispatches each message to its handler by topic and tag. Every
 * handler runs effectively once: inside consumeOnce, in the same DB transaction as the consume
 * log row. A body its handler cannot decode goes to the dead-letter table (dead-letter.ts).
 *
 * Handlers are built from the shop's event catalogue (`@shop/contracts`, eventsOf(...).on),
 * which supplies topic, tag and decode; this module knows no event of its own.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../log';
import { consumeOnce } from './consume-log';
import { MalformedMessage, recordDeadLetter } from './dead-letter';
import { MqConsumer } from './mq-consumer';
import type { MqConnection } from './mq-lifecycle';
import type { ReceivedMessage } from './mq-message';
import { mqMetrics } from './mq-metrics';

export interface EventHandler<Body = unknown, Prepared = unknown> {
  topic: string;
  tag: string;
  /** The body, checked; throws MalformedMessage when no redelivery can make it right. */
  decode(message: ReceivedMessage): Body;
  /**
   * The effect, inside the consume-log transaction; throw to have the message redelivered.
   * `prepared` is what `before` returned for this delivery.
   */
  handle(transaction: Transaction, body: Body, message: ReceivedMessage, prepared: Prepared): Promise<void>;
  /**
   * Work run on every delivery before that transaction, for effects that are idempotent by
   * themselves and must not hold a database connection while they wait (calls to Alipay or to
   * another service, or code that opens transactions of its own). Throw to have the message
   * redelivered.
   */
  before?(body: Body, message: ReceivedMessage): Promise<Prepared>;
}

/** A handler of any event, for the list a consumer group serves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventHandler = EventHandler<any, any>;

export interface ServiceConsumerOptions {
  group: string;
  sequelize: Sequelize;
  logger: Logger;
  handlers: AnyEventHandler[];
}

export function startServiceConsumer(connection: MqConnection, options: ServiceConsumerOptions): Promise<MqConsumer> {
  const { group, sequelize, logger, handlers } = options;
  const subscriptions: Record<string, string> = {};
  for (const { topic, tag } of handlers) subscriptions[topic] = subscriptions[topic] ? `${subscriptions[topic]}||${tag}` : tag;
  const deadLetter = async (message: ReceivedMessage, problem: string) => {
    logger.error(
      { topic: message.topic, tag: message.tag, keys: message.keys, messageId: message.messageId, problem },
      'malformed message; recorded in mq_dead_letter and acknowledged',
    );
    await recordDeadLetter(sequelize, group, message, problem);
    mqMetrics.deadLetters.slot(group, message.topic, message.tag).inc();
  };
  return MqConsumer.start(connection, {
    group,
    subscriptions,
    handle: async (message) => {
      const handler = handlers.find((h) => h.topic === message.topic && h.tag === message.tag);
      if (!handler) {
        logger.warn({ topic: message.topic, tag: message.tag }, 'message with no handler; acknowledged');
        return;
      }
      if (!message.keys[0]) return deadLetter(message, 'the message has no key to deduplicate on');
      let body: unknown;
      try {
        body = handler.decode(message);
      } catch (error) {
        if (error instanceof MalformedMessage) return deadLetter(message, error.message);
        throw error;
      }
      const prepared = await handler.before?.(body, message);
      const outcome = await consumeOnce(sequelize, group, message, (tx) => handler.handle(tx, body, message, prepared));
      if (outcome === 'duplicate') logger.debug({ tag: message.tag, key: message.keys[0] }, 'already handled');
    },
  });
}
