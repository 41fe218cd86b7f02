import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { openDatabase, runMigrations } from '../src/db';
import { SnowflakeGenerator } from '../src/ids';
import {
  consumeLogMigration,
  consumeOnce,
  enqueueEvent,
  MqConsumer,
  MqProducer,
  outboxMigrations,
  OutboxRelay,
  type OutgoingMessage,
  type ReceivedMessage,
} from '../src/mq';
import { currentTraceId, inSpan } from '../src/trace';
import { inMemoryTracing } from './support/in-memory-tracing';
import { eventually, infra, mqConnection, sleep, testLogger } from './support/infra';

const SCHEMA = 'shop_test_outbox';
const TOPIC = 'shop-infra-probe';

/** A message as a consumer would receive it. */
function message(key: string, tag = 'counter.bump'): ReceivedMessage {
  const body = Buffer.from('{}');
  return { messageId: randomUUID(), topic: TOPIC, tag, keys: [key], body, properties: {}, deliveryAttempt: 1, json: <T>() => ({}) as T };
}

describe('outbox and consume log (real MySQL and RocketMQ)', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(901);
  let db: Sequelize;

  const counter = async (id: string) =>
    (await db.query<{ value: number }>('SELECT value FROM counter WHERE id = ?', { replacements: [id], type: QueryTypes.SELECT }))[0]?.value ?? 0;
  const bump = (id: string) => (transaction: import('sequelize').Transaction) =>
    db
      .query('INSERT INTO counter (id, value) VALUES (?, 1) ON DUPLICATE KEY UPDATE value = value + 1', { replacements: [id], transaction })
      .then(() => undefined);
  const outboxRows = async (key: string) =>
    db.query<{ sent_at: Date | null; properties: string; attempts: number }>(
      'SELECT sent_at, properties, attempts FROM mq_producer_log WHERE message_keys = ? ORDER BY id',
      {
        replacements: [JSON.stringify([key])],
        type: QueryTypes.SELECT,
      },
    );

  before(async () => {
    db = await openDatabase(infra.mysql, SCHEMA);
    await db.query('DROP TABLE IF EXISTS counter, mq_consumer_log, mq_producer_log, schema_migrations');
    await runMigrations(db, [consumeLogMigration, ...outboxMigrations]);
    await db.query('CREATE TABLE counter (id VARCHAR(64) PRIMARY KEY, value INT NOT NULL)');
  });

  after(async () => {
    await db?.close();
  });

  describe('consumeOnce', () => {
    it('applies a message once, however often it is delivered', async () => {
      const key = randomUUID();
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push(await consumeOnce(db, 'test-group', message(key), bump(key)));
      assert.deepEqual(outcomes, ['applied', 'duplicate', 'duplicate']);
      assert.equal(await counter(key), 1);
    });

    it('applies concurrent deliveries of one message once', async () => {
      const key = randomUUID();
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => consumeOnce(db, 'test-group', message(key), bump(key))));
      assert.equal(outcomes.filter((o) => o === 'applied').length, 1);
      assert.equal(await counter(key), 1);
    });

    it('keeps no trace of a failed effect, so that the redelivery applies it', async () => {
      const key = randomUUID();
      const failing = async (transaction: import('sequelize').Transaction) => {
        await bump(key)(transaction);
        throw new Error('injected failure after the effect');
      };
      await assert.rejects(consumeOnce(db, 'test-group', message(key), failing), /injected failure/);
      assert.equal(await counter(key), 0, 'the effect was rolled back');
      const [log] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM mq_consumer_log WHERE message_key = ?', {
        replacements: [key],
        type: QueryTypes.SELECT,
      });
      assert.equal(Number(log?.n), 0, 'no log row is left behind');
      assert.equal(await consumeOnce(db, 'test-group', message(key), bump(key)), 'applied');
      assert.equal(await counter(key), 1);
    });

    it('deduplicates per consumer group and per tag', async () => {
      const key = randomUUID();
      assert.equal(await consumeOnce(db, 'group-a', message(key), bump(key)), 'applied');
      assert.equal(await consumeOnce(db, 'group-b', message(key), bump(key)), 'applied');
      assert.equal(await consumeOnce(db, 'group-a', message(key, 'other.tag'), bump(key)), 'applied');
      assert.equal(await counter(key), 3);
    });
  });

  describe('outbox relay', () => {
    const received: ReceivedMessage[] = [];
    let consumer: MqConsumer;
    let producer: MqProducer;

    before(async () => {
      const group = `shop-test-outbox-${randomUUID().slice(0, 8)}`;
      consumer = await MqConsumer.start(mqConnection, { group, subscriptions: { [TOPIC]: 'outbox-test' }, handle: async (m) => void received.push(m) });
      producer = await MqProducer.start(mqConnection, [TOPIC]);
      const warmup = `warmup-${randomUUID()}`;
      await eventually('the consumer to receive', 40_000, async () => {
        await producer.send({ topic: TOPIC, tag: 'outbox-test', keys: [warmup], body: {} });
        return (await sleep(1_000), received.find((m) => m.keys.includes(warmup)));
      });
    });

    after(async () => {
      await Promise.all([consumer?.shutdown(), producer?.shutdown()]);
    });

    it('sends an event only if its transaction committed, with the trace id of the change', async () => {
      const committed = randomUUID();
      const rolledBack = randomUUID();
      inMemoryTracing();
      const traceId = await inSpan('the change', {}, async () => {
        await db.transaction((tx) => enqueueEvent(db, tx, ids.next(), { topic: TOPIC, tag: 'outbox-test', keys: [committed], body: { n: 1 } }));
        return currentTraceId();
      });
      await assert.rejects(
        db.transaction(async (tx) => {
          await enqueueEvent(db, tx, ids.next(), { topic: TOPIC, tag: 'outbox-test', keys: [rolledBack], body: { n: 2 } });
          throw new Error('the state change failed');
        }),
        /state change failed/,
      );
      assert.equal((await outboxRows(rolledBack)).length, 0);
      assert.equal((await outboxRows(committed))[0]?.sent_at, null, 'not sent before the relay runs');

      const relay = new OutboxRelay({ sequelize: db, producer, logger: testLogger });
      assert.ok((await relay.relayOnce()) >= 1);
      const delivered = await eventually('the event', 20_000, () => received.find((m) => m.keys.includes(committed)));
      assert.deepEqual(delivered.json(), { n: 1 });
      assert.ok(traceId);
      assert.match(delivered.properties.traceparent ?? '', new RegExp(`^00-${traceId}-`), 'in the trace of the change');
      assert.notEqual((await outboxRows(committed))[0]?.sent_at, null, 'marked sent');
      await sleep(2_000);
      assert.equal(received.filter((m) => m.keys.includes(rolledBack)).length, 0);
    });

    it('an idle relay sleeps long, and a commit in this process wakes it', async () => {
      const relay = new OutboxRelay({ sequelize: db, producer, logger: testLogger, intervalMs: 2_000, idleIntervalMs: 60_000 });
      relay.start();
      try {
        // Passes at 0 and 2 s find the outbox empty (or drain what earlier tests left): then it sleeps 4 s, 8 s...
        await sleep(2_500);
        const key = randomUUID();
        const committedAt = Date.now();
        await db.transaction((tx) => enqueueEvent(db, tx, ids.next(), { topic: TOPIC, tag: 'outbox-test', keys: [key], body: {} }));
        await eventually('the woken relay sends the row', 1_000, async () => ((await outboxRows(key))[0]?.sent_at ? true : undefined));
        assert.ok(Date.now() - committedAt < 1_000, 'long before its next pass');
      } finally {
        await relay.stop();
      }
    });

    it('leaves a row unsent when the send fails, and sends it on a later pass', async () => {
      const key = randomUUID();
      await db.transaction((tx) => enqueueEvent(db, tx, ids.next(), { topic: TOPIC, tag: 'outbox-test', keys: [key], body: {} }));
      const broken = new OutboxRelay({ sequelize: db, producer: { send: () => Promise.reject(new Error('broker down')) }, logger: testLogger });
      assert.equal(await broken.relayOnce(), 0);
      const [row] = await db.query<{ sent_at: Date | null; attempts: number; last_error: string }>(
        'SELECT sent_at, attempts, last_error FROM mq_producer_log WHERE message_keys = ?',
        { replacements: [JSON.stringify([key])], type: QueryTypes.SELECT },
      );
      assert.equal(row?.sent_at, null);
      assert.equal(row?.attempts, 1);
      assert.match(row?.last_error ?? '', /broker down/);
      await new OutboxRelay({ sequelize: db, producer, logger: testLogger }).relayOnce();
      await eventually('the event', 20_000, () => received.find((m) => m.keys.includes(key)));
    });

    it('sends the rows of one key in id order, and stops a key at its first failed send', async () => {
      const [steady, failing] = [randomUUID(), randomUUID()];
      for (const n of [1, 2, 3]) {
        for (const key of [steady, failing])
          await db.transaction((tx) => enqueueEvent(db, tx, ids.next(), { topic: TOPIC, tag: 'outbox-test', keys: [key], body: { n } }));
      }
      const sends: string[] = [];
      const flaky = {
        async send(message: OutgoingMessage): Promise<string> {
          const n = (JSON.parse(String(message.body)) as { n: number }).n;
          // Later rows answer sooner: only the relay's per-key chaining keeps them in order.
          await sleep((4 - n) * 30);
          if (message.keys[0] === failing && n === 2) throw new Error('broker refused');
          sends.push(`${message.keys[0] === steady ? 'steady' : 'failing'}#${n}`);
          return `sent-${n}`;
        },
      };
      assert.equal(await new OutboxRelay({ sequelize: db, producer: flaky, logger: testLogger }).relayOnce(), 4);
      assert.deepEqual(
        sends.filter((s) => s.startsWith('steady')),
        ['steady#1', 'steady#2', 'steady#3'],
      );
      assert.deepEqual(
        sends.filter((s) => s.startsWith('failing')),
        ['failing#1'],
      );
      const rows = await outboxRows(failing);
      assert.deepEqual(
        rows.map((row) => [row.sent_at === null, row.attempts]),
        [
          [false, 1],
          [true, 1],
          [true, 0],
        ],
        'the failed row and the one after it stay unsent',
      );
      await new OutboxRelay({ sequelize: db, producer, logger: testLogger }).relayOnce();
      assert.ok(
        (await outboxRows(failing)).every((row) => row.sent_at !== null),
        'a later pass sends the rest',
      );
    });

    it('lets concurrent relays send each row once', async () => {
      const keys = Array.from({ length: 30 }, () => randomUUID());
      for (const key of keys) await db.transaction((tx) => enqueueEvent(db, tx, ids.next(), { topic: TOPIC, tag: 'outbox-test', keys: [key], body: {} }));
      const sentBy = await Promise.all(
        Array.from({ length: 3 }, () => new OutboxRelay({ sequelize: db, producer, logger: testLogger, batchSize: 5 })).map(async (relay) => {
          let total = 0;
          for (let sent = -1; sent !== 0;) total += sent = await relay.relayOnce();
          return total;
        }),
      );
      assert.equal(
        sentBy.reduce((a, b) => a + b, 0),
        30,
      );
      await eventually('all 30 events', 30_000, () => (keys.every((k) => received.some((m) => m.keys.includes(k))) ? true : undefined));
      for (const key of keys) assert.equal(received.filter((m) => m.keys.includes(key)).length, 1, `event ${key} sent once`);
    });
  });
});
