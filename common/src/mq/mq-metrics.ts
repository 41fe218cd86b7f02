/**
 * What a process asks of RocketMQ, counted for the cost of an order (bench:orders) and for
 * operators (failed sends, redeliveries, check-backs):
 *
 *   mq_produced_total{topic, tag, kind="normal|delay|half", outcome="ok|error"}   sends (the outbox relay's, timers, half messages)
 *   mq_transaction_resolutions_total{topic, tag, resolution="commit|rollback", outcome="ok|error"}   half messages ended by their producer
 *   mq_transaction_checks_total{topic, tag, answer="commit|rollback|unknown|error"}   the broker's check-backs, by the answer given
 *   mq_consumed_total{group, topic, tag, outcome="ok|error"}   deliveries handled (ok: acknowledged; error: to be redelivered)
 *   mq_dead_letters_total{group, topic, tag}   malformed messages recorded in mq_dead_letter and acknowledged
 *   mq_consume_lag_seconds{group, topic}   histogram: how late a group receives a message (below)
 *   mq_consumer_pending_messages{group}   messages handed over by the client and not yet acknowledged or failed
 *   mq_outbox_unsent_messages, mq_outbox_oldest_unsent_age_seconds   the outbox relay's view of its backlog (below)
 *
 * Failures are the `outcome="error"` series: sends the broker refused or never answered, and
 * deliveries whose handler threw (redelivered later).
 *
 * Each call finds its slot by its labels in a map (hot-counter.ts) and adds one: next to nothing
 * beside a round trip to the broker.
 */
import { Gauge, Histogram, register } from 'prom-client';
import { hotCounter, type HotCounter } from '../metrics/hot-counter';

export const mqMetrics = {
  produced: hotCounter('mq_produced_total', 'RocketMQ messages sent, by kind (normal, delay: timer, half: transactional) and outcome', [
    'topic',
    'tag',
    'kind',
    'outcome',
  ]),
  resolutions: hotCounter('mq_transaction_resolutions_total', 'Half messages committed or rolled back by their producer, by outcome', [
    'topic',
    'tag',
    'resolution',
    'outcome',
  ]),
  checks: hotCounter('mq_transaction_checks_total', "The broker's transaction check-backs, by the answer given (error: undecidable now)", [
    'topic',
    'tag',
    'answer',
  ]),
  consumed: hotCounter('mq_consumed_total', 'Messages delivered to a consumer group, by outcome (ok: acknowledged; error: to be redelivered)', [
    'group',
    'topic',
    'tag',
    'outcome',
  ]),
  deadLetters: hotCounter('mq_dead_letters_total', 'Malformed messages recorded in mq_dead_letter and acknowledged', ['group', 'topic', 'tag']),
};

/** Runs `work`, counting it in `counter` under `labels` followed by "ok" or "error"; its result or error is passed on. */
export async function counted<T>(counter: HotCounter, labels: string[], work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    counter.slot(...labels, 'error').inc();
    throw error;
  }
  counter.slot(...labels, 'ok').inc();
  return result;
}

/**
 * Consumer lag as the consumer itself knows it, without asking the broker: for each message
 * received on its first delivery, the seconds from when it was due (its delivery time for a
 * timer message, else its birth at the producer) to when the client handed it to this group.
 * A group falling behind shows as lags growing; a redelivery is left out (its wait is the retry
 * back-off, counted in mq_consumed_total{outcome="error"}). A transactional message is born as
 * a half message: its lag includes the wait for its commit (a placement's rollback or commit
 * comes within milliseconds; one decided by a check-back, a minute or more). What this cannot
 * see is a group that receives nothing at all (no consumer running, or none subscribed): the
 * broker's own offsets (mqadmin consumerProgress) tell that, and the outbox age and the pending
 * gauge below show its effects.
 */
const consumeLag =
  (register.getSingleMetric('mq_consume_lag_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'mq_consume_lag_seconds',
    help: 'Seconds from when a message was due (delivery time, else birth) to its first delivery to the group',
    labelNames: ['group', 'topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
  });

/** Messages each group's client handed over and that are not finished yet (waiting for a slot, or being handled). */
const pendingByGroup = new Map<string, { value: number }>();
if (!register.getSingleMetric('mq_consumer_pending_messages')) {
  new Gauge({
    name: 'mq_consumer_pending_messages',
    help: 'Messages handed over by the RocketMQ client to the group and not yet acknowledged or failed',
    labelNames: ['group'],
    collect() {
      this.reset();
      for (const [group, pending] of pendingByGroup) this.set({ group }, pending.value);
    },
  });
}

/** What a message received by a group carries about its timing. */
export interface DeliveryTiming {
  topic: string;
  bornTimestamp?: Date;
  deliveryTimestamp?: Date;
  deliveryAttempt?: number;
}

/** The metrics of one consumer group, resolved once: lag per topic, and its pending count. */
export function consumerMetrics(group: string): { received(message: DeliveryTiming): void; finished(): void } {
  const pending = pendingByGroup.get(group) ?? { value: 0 };
  pendingByGroup.set(group, pending);
  const lagByTopic = new Map<string, ReturnType<Histogram['labels']>>();
  return {
    received(message) {
      pending.value++;
      if ((message.deliveryAttempt ?? 1) > 1) return;
      const due = message.deliveryTimestamp ?? message.bornTimestamp;
      if (!due) return;
      let lag = lagByTopic.get(message.topic);
      if (!lag) lagByTopic.set(message.topic, (lag = consumeLag.labels(group, message.topic)));
      lag.observe(Math.max(0, Date.now() - due.getTime()) / 1000);
    },
    finished() {
      pending.value--;
    },
  };
}

/**
 * The outbox's backlog as its relay saw it at its last pass (every 0.5 s while rows come, at
 * most every 5 s when idle), so that no query runs for the metrics: the rows left unsent (the
 * pass's failed and untried rows, or a count when its batch was full) and when the oldest of
 * them was written. The age is computed at scrape time: it keeps growing while a relay is stuck.
 * Rows another instance's relay held locked at that pass are that relay's to report.
 */
const outboxBacklog = { unsent: 0, oldestUnsentAt: undefined as Date | undefined };
if (!register.getSingleMetric('mq_outbox_unsent_messages')) {
  new Gauge({
    name: 'mq_outbox_unsent_messages',
    help: "Outbox rows not yet sent to RocketMQ, at the relay's last pass",
    collect() {
      this.set(outboxBacklog.unsent);
    },
  });
  new Gauge({
    name: 'mq_outbox_oldest_unsent_age_seconds',
    help: "Age of the oldest outbox row not yet sent at the relay's last pass (0: none)",
    collect() {
      this.set(outboxBacklog.oldestUnsentAt ? Math.max(0, Date.now() - outboxBacklog.oldestUnsentAt.getTime()) / 1000 : 0);
    },
  });
}

/** What a relay pass left unsent: how many rows, and the oldest one's creation time (undefined: none). */
export function recordOutboxBacklog(unsent: number, oldestUnsentAt: Date | undefined): void {
  outboxBacklog.unsent = unsent;
  outboxBacklog.oldestUnsentAt = oldestUnsentAt;
}
