/**
 * infra:up's readiness check for RocketMQ: a message sent through the proxy's gRPC endpoint with
 * the Node client comes back to a consumer. An open port proves less: the proxy listens before
 * the embedded broker has registered its routes.
 */
import { randomUUID } from 'node:crypto';
import { SimpleConsumer } from 'rocketmq-client-nodejs';
import { loadInfraConfig } from '../../common/src/config';
import { createLogger } from '../../common/src/log';
import { MqProducer, shutdownWithin, startWithin, type MqConnection } from '../../common/src/mq';

const TOPIC = 'shop-infra-probe';
const DEADLINE_MS = 60_000;

async function main(): Promise<void> {
  const started = Date.now();
  const { rocketmq } = loadInfraConfig();
  // Route errors are expected while the broker registers: only the verdict is printed.
  const logger = createLogger('infra-probe', process.env.LOG_LEVEL ?? 'silent');
  const connection = { ...rocketmq, logger };
  const consumer = new SimpleConsumer({
    endpoints: rocketmq.endpoints,
    namespace: rocketmq.namespace,
    consumerGroup: 'shop-infra-probe',
    subscriptions: new Map([[TOPIC, '*']]),
    // The proxy refuses long polls shorter than its minimum (5 s by default).
    awaitDuration: 10_000,
    logger: { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => logger.error(args.join(' ')) },
  });
  const producer = await startProducer(connection, started);
  try {
    await startWithin(consumer, rocketmq.startupTimeoutMs, 'probe consumer');
    const probeId = randomUUID();
    // A new consumer group starts at the queue's end when it first asks, so a message sent before
    // that may be skipped: send again until one comes back.
    while (Date.now() - started < DEADLINE_MS) {
      await producer.send({ topic: TOPIC, tag: 'probe', keys: [probeId], body: { probeId } });
      for (const view of await consumer.receive(16, 10_000)) {
        await consumer.ack(view);
        if (view.keys.includes(probeId)) {
          console.log(`[infra] rocketmq: send/receive round trip through ${rocketmq.endpoints} ok (${Date.now() - started} ms)`);
          return;
        }
      }
    }
    throw new Error(`no message came back within ${DEADLINE_MS} ms`);
  } finally {
    await Promise.all([producer.shutdown(), shutdownWithin(consumer, 5_000)]);
  }
}

/**
 * The proxy's port opens before the embedded broker has registered its routes with the name
 * server; until then clients fail with "No topic route info". Retry until the deadline.
 */
async function startProducer(connection: MqConnection, started: number): Promise<MqProducer> {
  for (;;) {
    try {
      return await MqProducer.start(connection, [TOPIC]);
    } catch (error) {
      if (Date.now() - started > DEADLINE_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[infra] rocketmq probe failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
