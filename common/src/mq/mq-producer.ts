import { Producer } from 'rocketmq-client-nodejs';
import { clientLogger, shutdownWithin, startWithin, type MqConnection } from './mq-lifecycle';
import { toMessageOptions, type OutgoingMessage } from './mq-message';
import { counted, mqMetrics } from './mq-metrics';
import { inSendSpan } from './mq-tracing';

/** Sends NORMAL messages (the outbox relay's side). Sends are retried by the client (maxAttempts). */
export class MqProducer {
  private constructor(private readonly producer: Producer) {}

  static async start(connection: MqConnection, topics: string[]): Promise<MqProducer> {
    const producer = new Producer({
      endpoints: connection.endpoints,
      namespace: connection.namespace,
      topics,
      maxAttempts: 3,
      logger: clientLogger(connection.logger),
    });
    await startWithin(producer, connection.startupTimeoutMs, `producer for ${topics.join(',')}`);
    return new MqProducer(producer);
  }

  /** Returns the broker's message id once the message is stored. */
  async send(message: OutgoingMessage): Promise<string> {
    const kind = message.deliverAt ? 'delay' : 'normal';
    const receipt = await inSendSpan(message, kind, () =>
      counted(mqMetrics.produced, [message.topic, message.tag, kind], () => this.producer.send(toMessageOptions(message))),
    );
    return receipt.messageId;
  }

  shutdown(): Promise<void> {
    return shutdownWithin(this.producer);
  }
}
