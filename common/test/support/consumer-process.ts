/**
 * A RocketMQ consumer in its own process, so that a spec can SIGKILL it mid long-poll:
 *   parent <- {type: 'received', keys}   for every message it handles
 * Settings from the environment: CONSUMER_GROUP, CONSUMER_TOPIC, CONSUMER_TAGS.
 */
import { MqConsumer } from '../../src/mq';
import { mqConnection } from './infra';

async function main(): Promise<void> {
  await MqConsumer.start(mqConnection, {
    group: process.env.CONSUMER_GROUP!,
    subscriptions: { [process.env.CONSUMER_TOPIC!]: process.env.CONSUMER_TAGS ?? '*' },
    handle: async (message) => {
      process.send?.({ type: 'received', keys: message.keys });
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
