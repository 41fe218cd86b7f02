import { Producer, type MessageView } from 'rocketmq-client-nodejs';
// Not exported from the package index (see docs/reference-notes): the generated proto module.
import { TransactionResolution } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb';
import { clientLogger, shutdownWithin, startWithin, type MqConnection } from './mq-lifecycle';
import { fromMessageView, toMessageOptions, type OutgoingMessage, type ReceivedMessage } from './mq-message';
import { counted, mqMetrics } from './mq-metrics';
import { inCheckSpan, inResolutionSpan, inSendSpan } from './mq-tracing';

/**
 * What the local transaction says about a half message:
 * COMMIT delivers it, ROLLBACK drops it, UNKNOWN asks the broker to check back later.
 */
export type TransactionVerdict = 'COMMIT' | 'ROLLBACK' | 'UNKNOWN';

/**
 * Answers the broker's check-back for a half message whose producer never resolved it (it
 * crashed, or the resolution was lost). It must decide from committed state only.
 */
export type TransactionCheck = (message: ReceivedMessage) => Promise<TransactionVerdict>;

/** A sent half message, waiting for the local transaction to decide. */
export interface HalfMessage {
  messageId: string;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

const RESOLUTION: Record<Exclude<TransactionVerdict, 'UNKNOWN'>, TransactionResolution> = {
  COMMIT: TransactionResolution.COMMIT,
  ROLLBACK: TransactionResolution.ROLLBACK,
};

/**
 * Producer of transactional messages for one TRANSACTION topic, with its check-back handler.
 * The proxy routes check-backs only for the topics a producer declared, so each transactional
 * topic gets its own producer.
 */
export class TransactionalProducer {
  private constructor(
    private readonly producer: Producer,
    readonly topic: string,
  ) {}

  static async start(connection: MqConnection, topic: string, check: TransactionCheck): Promise<TransactionalProducer> {
    const log = connection.logger.child({ component: 'tx-check', topic });
    const producer = new Producer({
      endpoints: connection.endpoints,
      namespace: connection.namespace,
      topics: [topic],
      logger: clientLogger(connection.logger),
      checker: {
        async check(view: MessageView): Promise<TransactionResolution> {
          const message = fromMessageView(view);
          return inCheckSpan(topic, message, async (span) => {
            try {
              const verdict = await check(message);
              span?.setAttribute('shop.verdict', verdict);
              log.info({ keys: message.keys, tag: message.tag, verdict }, 'transaction check-back');
              mqMetrics.checks.slot(topic, message.tag, verdict.toLowerCase()).inc();
              return verdict === 'UNKNOWN' ? TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED : RESOLUTION[verdict];
            } catch (error) {
              // Undecidable now (database down...): the broker asks again at the next interval.
              log.error({ err: error, keys: message.keys }, 'transaction check-back failed; will be asked again');
              mqMetrics.checks.slot(topic, message.tag, 'error').inc();
              return TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED;
            }
          });
        },
      },
    });
    await startWithin(producer, connection.startupTimeoutMs, `transactional producer for ${topic}`);
    return new TransactionalProducer(producer, topic);
  }

  /**
   * Sends a half message: stored by the broker, invisible to consumers until committed. If this
   * process dies before `commit`/`rollback`, the broker's check-back decides instead.
   */
  async sendHalf(message: Omit<OutgoingMessage, 'topic'>): Promise<HalfMessage> {
    const { topic } = this;
    const transaction = this.producer.beginTransaction();
    const receipt = await inSendSpan({ ...message, topic }, 'transaction', () =>
      counted(mqMetrics.produced, [topic, message.tag, 'half'], () => this.producer.send(toMessageOptions({ ...message, topic }), transaction)),
    );
    const { messageId } = receipt;
    return {
      messageId,
      commit: () =>
        inResolutionSpan('commit', topic, message, messageId, () => counted(mqMetrics.resolutions, [topic, message.tag, 'commit'], () => transaction.commit())),
      rollback: () =>
        inResolutionSpan('rollback', topic, message, messageId, () =>
          counted(mqMetrics.resolutions, [topic, message.tag, 'rollback'], () => transaction.rollback()),
        ),
    };
  }

  shutdown(): Promise<void> {
    return shutdownWithin(this.producer);
  }
}
