/**
 * What a process asks of RocketMQ, counted for the cost of an order (bench:orders) and for
 * operators (failed sends, redeliveries, check-backs):
 *
 *   mq_produced_total{topic, tag, kind="normal|delay|half", outcome="ok|error"}   sends (the outbox relay's, timers, half messages)
 *   mq_transaction_resolutions_total{topic, tag, resolution="commit|rollback", outcome="ok|error"}   half messages ended by their producer
 *   mq_transaction_checks_total{topic, tag, answer="commit|rollback|unknown|error"}   the broker's check-backs, by the answer given
 *   mq_consumed_total{group, topic, tag, outcome="ok|error"}   deliveries handled (ok: acknowledged; error: to be redelivered)
 *   mq_dead_letters_total{group, topic, tag}   malformed messages recorded in mq_dead_letter and acknowledged
 *
 * Each call finds its slot by its labels in a map (hot-counter.ts) and adds one: next to nothing
 * beside a round trip to the broker.
 */
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
