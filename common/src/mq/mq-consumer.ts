import { ConsumeResult, FilterExpression, PushConsumer } from 'rocketmq-client-nodejs';
import { clientLogger, shutdownWithin, startWithin, type MqConnection } from './mq-lifecycle';
import { fromMessageView, type ReceivedMessage } from './mq-message';
import { inProcessSpan } from './mq-tracing';
import { consumerMetrics, mqMetrics } from './mq-metrics';

/**
 * Handles one message. Resolving acknowledges it; throwing makes the broker redeliver it later
 * (and park it in the group's DLQ after the retry limit). Handlers must be idempotent: the
 * services make them so with mq_consumer_log rows written in the same DB transaction.
 */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface ConsumerOptions {
  /** One group per consuming service: clustering mode, each message handled by one instance. */
  group: string;
  /** topic -> tag expression ("*" or "order.cancel||pay.succeeded"). */
  subscriptions: Record<string, string>;
  handle: MessageHandler;
  /**
   * At most this many messages handled at once (default 16). The client hands over every
   * message it has cached (up to 1024) at once: a burst (5,000 orders reaching their pay
   * deadline together) would otherwise queue a thousand handlers on a pool of ten connections,
   * and those waiting longer than the pool's acquire timeout would fail and come back later.
   */
  maxConcurrency?: number;
}

/** A counting semaphore: run() waits for one of `size` slots. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export class MqConsumer {
  private constructor(private readonly consumer: PushConsumer) {}

  static async start(connection: MqConnection, options: ConsumerOptions): Promise<MqConsumer> {
    const log = connection.logger.child({ component: 'mq-consumer', group: options.group });
    const slots = new Slots(options.maxConcurrency ?? 16);
    const metrics = consumerMetrics(options.group);
    const subscriptions = new Map<string, FilterExpression>(Object.entries(options.subscriptions).map(([topic, tags]) => [topic, new FilterExpression(tags)]));
    const consumer = new PushConsumer({
      endpoints: connection.endpoints,
      namespace: connection.namespace,
      consumerGroup: options.group,
      subscriptions,
      logger: clientLogger(connection.logger),
      messageListener: {
        async consume(view) {
          const message = fromMessageView(view);
          metrics.received(view);
          try {
            // The handler runs in the sender's trace, so its logs, calls and messages carry it on.
            await slots.run(() => inProcessSpan(options.group, message, () => options.handle(message)));
            mqMetrics.consumed.slot(options.group, message.topic, message.tag, 'ok').inc();
            return ConsumeResult.SUCCESS;
          } catch (error) {
            mqMetrics.consumed.slot(options.group, message.topic, message.tag, 'error').inc();
            log.warn(
              { err: error, topic: message.topic, tag: message.tag, keys: message.keys, attempt: message.deliveryAttempt },
              'message handling failed; it will be redelivered',
            );
            return ConsumeResult.FAILURE;
          } finally {
            metrics.finished();
          }
        },
      },
    });
    await startWithin(consumer, connection.startupTimeoutMs, `consumer group ${options.group}`);
    return new MqConsumer(consumer);
  }

  /** Stops fetching and waits for in-flight handlers (bounded). */
  shutdown(): Promise<void> {
    return shutdownWithin(this.consumer);
  }
}
