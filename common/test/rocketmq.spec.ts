import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MqConsumer, MqProducer, TransactionalProducer, type ReceivedMessage, type TransactionVerdict } from '../src/mq';
import { currentTraceId, inSpan, traceHeaders } from '../src/trace';
import { eventually, mqConnection, sleep } from './support/infra';
import { inMemoryTracing, spansNamed } from './support/in-memory-tracing';

// Topics reserved for infrastructure tests in deploy/topics.conf.
const NORMAL_TOPIC = 'shop-infra-probe';
const TX_TOPIC = 'shop-infra-probe-tx';
const TIMER_TOPIC = 'shop-infra-probe-timer';
// The broker's check-back timing (deploy/local/infra.sh defaults: RMQ_TX_TIMEOUT_MS and
// RMQ_TX_CHECK_INTERVAL_MS). A half message is first checked after about timeout + interval.
const CHECK_WINDOW_MS = Number(process.env.RMQ_TX_TIMEOUT_MS ?? 3_000) + Number(process.env.RMQ_TX_CHECK_INTERVAL_MS ?? 2_000);

describe('RocketMQ 5 through rocketmq-client-nodejs (real namesrv + proxy)', function () {
  this.timeout(60_000);
  const run = randomUUID();
  const received: ReceivedMessage[] = [];
  const traceSeenByHandler = new Map<string, string | undefined>();
  let consumer: MqConsumer;
  let producer: MqProducer;

  const receivedWithKey = (key: string) => received.filter((m) => m.keys.includes(key));
  const waitForKey = (key: string, timeoutMs = 20_000) => eventually(`a message with key ${key}`, timeoutMs, () => receivedWithKey(key)[0]);

  before(async () => {
    inMemoryTracing();
    // One group for the whole suite: every spec sees every message and filters on its keys.
    // A group of its own per run, so that nothing a previous run left (unacknowledged messages,
    // long polls of an exited process) can take this run's messages.
    consumer = await MqConsumer.start(mqConnection, {
      group: `shop-test-common-${run.slice(0, 8)}`,
      subscriptions: { [NORMAL_TOPIC]: '*', [TX_TOPIC]: '*', [TIMER_TOPIC]: '*' },
      handle: async (message) => {
        received.push(message);
        traceSeenByHandler.set(message.keys[0] ?? '', currentTraceId());
      },
    });
    producer = await MqProducer.start(mqConnection, [NORMAL_TOPIC, TIMER_TOPIC]);
    // A new group starts reading where the queue ends when it first polls: wait until a
    // message sent now comes back, so that later assertions cannot miss one.
    const warmup = `warmup-${run}`;
    await eventually('the consumer to receive', 40_000, async () => {
      await producer.send({ topic: NORMAL_TOPIC, tag: 'warmup', keys: [warmup], body: {} });
      return (await sleep(1_000), receivedWithKey(warmup)[0]);
    });
  });

  after(async () => {
    await Promise.all([consumer?.shutdown(), producer?.shutdown()]);
  });

  it('delivers a timer message (DELAY topic) at its time, not before', async () => {
    const key = `timer-${run}`;
    const sentAt = Date.now();
    await producer.send({ topic: TIMER_TOPIC, tag: 'order.pay-deadline', keys: [key], body: { orderId: '1' }, deliverAt: new Date(sentAt + 4_000) });
    await waitForKey(key, 30_000);
    const waited = Date.now() - sentAt;
    // The broker's timer wheel ticks every second (timerPrecisionMs).
    assert.ok(waited >= 3_000, `delivered after ${waited} ms, before its time`);
  });

  it('delivers a sent message with its tag, keys, properties and JSON body', async () => {
    const key = `normal-${run}`;
    await producer.send({
      topic: NORMAL_TOPIC,
      tag: 'order.confirmed',
      keys: [key, 'second'],
      body: { orderId: '123', amount: '9.90' },
      properties: { region: 'eu-1' },
    });
    const message = await waitForKey(key);
    assert.equal(message.tag, 'order.confirmed');
    assert.deepEqual(message.keys, [key, 'second']);
    assert.deepEqual(message.json(), { orderId: '123', amount: '9.90' });
    assert.equal(message.properties.region, 'eu-1');
  });

  it('carries the trace of the sender to the handler: send and process spans of one trace', async () => {
    const key = `traced-${run}`;
    const traceId = await inSpan('placing', {}, async () => {
      await producer.send({ topic: NORMAL_TOPIC, tag: 'traced', keys: [key], body: {} });
      return currentTraceId();
    });
    assert.ok(traceId);
    const message = await waitForKey(key);
    assert.match(message.properties.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.equal(traceSeenByHandler.get(key), traceId);
    const send = spansNamed(`send ${NORMAL_TOPIC}`).find((span) => (span.attributes['messaging.rocketmq.message.keys'] as string[])[0] === key);
    const processed = await eventually('the process span', 5_000, () =>
      spansNamed(`process ${NORMAL_TOPIC}`).find((span) => (span.attributes['messaging.rocketmq.message.keys'] as string[])[0] === key),
    );
    assert.equal(send?.spanContext().traceId, traceId);
    assert.equal(processed.parentSpanContext?.spanId, send?.spanContext().spanId, 'the consumer span is a child of the send span');
    assert.equal(processed.attributes['messaging.message.id'], message.messageId);
  });

  it('sends a message that kept the traceparent of the work that wrote it (an outbox row) as a child of that work', async () => {
    const key = `kept-${run}`;
    const writer = await inSpan('writing the row', {}, async () => traceHeaders());
    await inSpan('relay pass', {}, () => producer.send({ topic: NORMAL_TOPIC, tag: 'kept', keys: [key], body: {}, properties: writer }));
    const message = await waitForKey(key);
    const send = spansNamed(`send ${NORMAL_TOPIC}`).find((span) => (span.attributes['messaging.rocketmq.message.keys'] as string[])[0] === key)!;
    assert.equal(`00-${send.spanContext().traceId}-${send.parentSpanContext?.spanId}-01`, writer.traceparent, 'the send span is a child of the writer');
    assert.equal(send.links.length, 1, 'and linked to the relay pass');
    assert.equal(message.properties.traceparent, `00-${send.spanContext().traceId}-${send.spanContext().spanId}-01`);
  });

  it('redelivers a message whose handler failed', async () => {
    const key = `retry-${run}`;
    const attempts: number[] = [];
    const failingOnce = await MqConsumer.start(mqConnection, {
      group: `shop-test-retry`,
      subscriptions: { [NORMAL_TOPIC]: 'retry-test' },
      handle: async (message) => {
        if (!message.keys.includes(key)) return;
        attempts.push(message.deliveryAttempt);
        if (attempts.length === 1) throw new Error('injected failure');
      },
    });
    try {
      await eventually('the consumer to subscribe', 30_000, async () => {
        await producer.send({ topic: NORMAL_TOPIC, tag: 'retry-test', keys: [key], body: {} });
        return (await sleep(1_500), attempts.length > 0 ? true : undefined);
      });
      await eventually('a second delivery', 40_000, () => (attempts.length >= 2 ? true : undefined));
      assert.equal(attempts[0], 1);
      assert.ok(attempts[1]! > 1, `second delivery carries its attempt number, got ${attempts[1]}`);
    } finally {
      await failingOnce.shutdown();
    }
  });

  describe('transactional messages', () => {
    const checked = new Map<string, number>();
    let txProducer: TransactionalProducer;
    // Check-backs for this run's keys are answered by `verdicts`; leftovers of earlier, crashed
    // runs are rolled back so they stop being checked.
    const verdicts = new Map<string, TransactionVerdict>();

    before(async () => {
      txProducer = await TransactionalProducer.start(mqConnection, TX_TOPIC, async (message) => {
        const key = message.keys[0] ?? '';
        checked.set(key, (checked.get(key) ?? 0) + 1);
        return verdicts.get(key) ?? 'ROLLBACK';
      });
    });

    after(async () => {
      await txProducer?.shutdown();
    });

    it('delivers a committed half message and never a rolled-back one', async () => {
      const rolledBack = `rollback-${run}`;
      const committed = `commit-${run}`;
      // What the local transactions decided. The broker may still check back a message that was
      // just resolved (its resolution record is written in batches): the handler answers the truth.
      verdicts.set(rolledBack, 'ROLLBACK');
      verdicts.set(committed, 'COMMIT');

      const first = await txProducer.sendHalf({ tag: 'tx-test', keys: [rolledBack], body: { n: 1 } });
      const second = await txProducer.sendHalf({ tag: 'tx-test', keys: [committed], body: { n: 2 } });
      await sleep(1_000);
      assert.equal(receivedWithKey(committed).length, 0, 'a half message is invisible until committed');
      await first.rollback();
      await second.commit();

      const delivered = await waitForKey(committed);
      assert.deepEqual(delivered.json(), { n: 2 });
      // Past two check-back windows: nothing may resurrect the rolled-back message.
      await sleep(CHECK_WINDOW_MS * 2);
      assert.equal(receivedWithKey(rolledBack).length, 0);
    });

    it('asks the check-back handler about a half message whose producer died, and delivers it on COMMIT', async () => {
      const orphan = `orphan-${run}`;
      verdicts.set(orphan, 'COMMIT');
      // The sender goes away without resolving, as a process killed mid-transaction would.
      const doomed = await TransactionalProducer.start(mqConnection, TX_TOPIC, async () => 'UNKNOWN');
      await doomed.sendHalf({ tag: 'tx-test', keys: [orphan], body: { n: 3 } });
      await doomed.shutdown();

      const message = await waitForKey(orphan, CHECK_WINDOW_MS * 5 + 10_000);
      assert.ok((checked.get(orphan) ?? 0) >= 1, 'the surviving producer answered the check-back');
      assert.deepEqual(message.json(), { n: 3 });
      assert.equal(message.tag, 'tx-test');
    });

    it('keeps asking while the handler answers UNKNOWN, then drops the message on ROLLBACK', async () => {
      const undecided = `undecided-${run}`;
      verdicts.set(undecided, 'UNKNOWN');
      const half = await txProducer.sendHalf({ tag: 'tx-test', keys: [undecided], body: { n: 4 } });
      void half; // left unresolved on purpose
      await eventually('a second check-back', CHECK_WINDOW_MS * 5 + 10_000, () => ((checked.get(undecided) ?? 0) >= 2 ? true : undefined));
      verdicts.set(undecided, 'ROLLBACK');
      const asked = checked.get(undecided)!;
      await eventually('the rollback answer', CHECK_WINDOW_MS * 5, () => (checked.get(undecided)! > asked ? true : undefined));
      // One more check may already be on its way; after that the broker stops asking.
      await sleep(CHECK_WINDOW_MS);
      const settled = checked.get(undecided);
      await sleep(CHECK_WINDOW_MS * 2);
      assert.equal(checked.get(undecided), settled, 'no more check-backs after ROLLBACK');
      assert.equal(receivedWithKey(undecided).length, 0);
    });
  });
});
