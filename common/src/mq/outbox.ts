/**
 * The outbox (mq_producer_log): an event is inserted in the same DB transaction as the state
 * change it announces, and a relay sends the rows not yet sent. A crash between commit and
 * send delays the event, never loses it; a crash between send and "mark sent" sends it twice,
 * which consumers absorb (consume log). At-least-once, in id order per message key.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Migration, Statement } from '../db';
import type { Logger } from '../log';
import { outsideAnyTrace, traceHeaders } from '../trace/trace-context';
import type { OutgoingMessage } from './mq-message';
import { recordOutboxBacklog } from './mq-metrics';
import type { MqProducer } from './mq-producer';

export const outboxMigration: Migration = {
  id: '0000-mq-producer-log',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS mq_producer_log (
        id BIGINT NOT NULL PRIMARY KEY,
        topic VARCHAR(128) NOT NULL,
        tag VARCHAR(64) NOT NULL,
        message_keys VARCHAR(512) NOT NULL,
        body MEDIUMTEXT NOT NULL,
        properties TEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        sent_at DATETIME(3) NULL,
        attempts INT NOT NULL DEFAULT 0,
        last_error VARCHAR(512) NULL,
        KEY idx_unsent (sent_at, id)
      ) ENGINE=InnoDB`);
  },
};

/** Timer messages: a row may ask the broker to deliver its message at a given time (DELAY topics). */
export const outboxDeliverAtMigration: Migration = {
  id: '0000-mq-producer-log-deliver-at',
  async up({ sequelize }) {
    const [columns] = await sequelize.query("SHOW COLUMNS FROM mq_producer_log LIKE 'deliver_at'");
    if ((columns as unknown[]).length === 0) await sequelize.query('ALTER TABLE mq_producer_log ADD COLUMN deliver_at DATETIME(3) NULL');
  },
};

/** Every service that has an outbox applies these, in this order. */
export const outboxMigrations: Migration[] = [outboxMigration, outboxDeliverAtMigration];

/**
 * The INSERT of an event into the outbox. The current trace (W3C traceparent) is stored with
 * it: the relay sends the message as a child of the work that wrote it, whenever that is.
 */
export function outboxInsert(id: string, message: OutgoingMessage): Statement {
  if (message.keys.length === 0) throw new Error(`event ${message.topic}/${message.tag} needs at least one key`);
  const properties = { ...traceHeaders(), ...message.properties };
  return {
    sql: `INSERT INTO mq_producer_log (id, topic, tag, message_keys, body, properties, deliver_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`,
    values: [id, message.topic, message.tag, JSON.stringify(message.keys), JSON.stringify(message.body), JSON.stringify(properties), message.deliverAt ?? null],
  };
}

/**
 * Adds an event to the outbox inside the caller's transaction: it exists if and only if the
 * transaction commits.
 */
export async function enqueueEvent(sequelize: Sequelize, transaction: Transaction, id: string, message: OutgoingMessage): Promise<void> {
  const { sql, values } = outboxInsert(id, message);
  await sequelize.query(sql, { replacements: values, type: QueryTypes.INSERT, transaction });
  transaction.afterCommit(wakeRelays);
}

/** This process's relays sleep long when the outbox is empty: a commit that wrote events wakes them. */
export function wakeRelays(): void {
  for (const relay of runningRelays) relay.wake();
}

const runningRelays = new Set<OutboxRelay>();

interface OutboxRow {
  id: string;
  topic: string;
  tag: string;
  message_keys: string;
  body: string;
  properties: string;
  deliver_at: Date | null;
  created_at: Date;
}

export interface OutboxRelayOptions {
  sequelize: Sequelize;
  producer: Pick<MqProducer, 'send'>;
  logger: Logger;
  batchSize?: number;
  /** Between passes while rows keep coming (default 500 ms). */
  intervalMs?: number;
  /** The longest sleep of an idle relay (default 5 s): what a row committed by another process waits at worst. */
  idleIntervalMs?: number;
}

/**
 * Sends unsent outbox rows. Several relays (one per instance) share the work: each batch is
 * claimed with SELECT ... FOR UPDATE SKIP LOCKED, so a row is sent by one relay at a time.
 *
 * The rows of a batch go out concurrently, those of one message key in id order (a key is one
 * order, payment or refund: its events keep their order, unrelated ones do not wait for each
 * other), and are marked sent with one UPDATE. One send at a time capped a relay at some 40
 * rows a second under load, below what placements and cancellations write in a burst, and every
 * pay deadline timer waited in the outbox (bench:deadlines). A full batch is followed by the next
 * one at once; the interval applies only when the outbox is drained.
 *
 * An empty pass doubles the sleep up to `idleIntervalMs`, so an idle service does not query
 * MySQL twice a second for nothing; a row committed in this process wakes its relays within
 * {@link WAKE_DELAY_MS} (rows of another process are that process's relay's, or, if it died, the
 * next pass's here).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private sleepMs = 0;
  private wakeAt = 0;
  private wokenWhileRunning = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  private get batchSize(): number {
    return this.options.batchSize ?? 200;
  }

  private get intervalMs(): number {
    return this.options.intervalMs ?? 500;
  }

  start(): void {
    runningRelays.add(this);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    runningRelays.delete(this);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * A row was committed here. A relay sleeping longer than its interval (idle) passes within
   * WAKE_DELAY_MS; a busy one keeps its pace (its next pass is at most one interval away); a pass
   * under way that finds nothing (it read before the commit) is followed by another at once.
   */
  wake(): void {
    if (!this.timer) return;
    if (this.running) {
      this.wokenWhileRunning = true;
      return;
    }
    if (this.wakeAt <= Date.now() + this.intervalMs) return;
    clearTimeout(this.timer);
    this.schedule(WAKE_DELAY_MS);
  }

  private schedule(delayMs: number): void {
    this.wakeAt = Date.now() + delayMs;
    // A pass is nobody's work: woken by a commit, it must not run (nor schedule the next) in its trace.
    this.timer = setTimeout(() => outsideAnyTrace(() => this.tick()), delayMs);
  }

  private tick(): void {
    this.wokenWhileRunning = false;
    this.running = this.relayOnce()
      .catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'outbox relay failed; will retry');
        return 0;
      })
      .then((sent) => {
        this.running = undefined;
        this.sleepMs = sent > 0 ? this.intervalMs : Math.min(Math.max(this.sleepMs * 2, this.intervalMs), this.options.idleIntervalMs ?? 5_000);
        if (this.timer) this.schedule(sent >= this.batchSize ? 0 : sent === 0 && this.wokenWhileRunning ? WAKE_DELAY_MS : this.sleepMs);
        return sent;
      });
  }

  /**
   * Sends one batch; returns how many rows it sent. After a failed send no further key is
   * started and the rest of that key's rows stay unsent (their order kept); rows of other keys
   * already under way finish.
   */
  async relayOnce(): Promise<number> {
    const { sequelize, logger } = this.options;
    return sequelize.transaction(async (transaction) => {
      const rows = await sequelize.query<OutboxRow>(
        'SELECT id, topic, tag, message_keys, body, properties, deliver_at, created_at FROM mq_producer_log WHERE sent_at IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED',
        { replacements: [this.batchSize], type: QueryTypes.SELECT, transaction },
      );
      const chains = [...groupBy(rows, (row) => row.message_keys).values()];
      const sentIds: string[] = [];
      let failed = false;
      const sendChain = async (chain: OutboxRow[]) => {
        for (const row of chain) {
          try {
            await this.send(row);
            sentIds.push(row.id);
          } catch (error) {
            failed = true;
            logger.warn({ err: error, outboxId: row.id }, 'outbox send failed; the row stays unsent');
            await sequelize.query('UPDATE mq_producer_log SET attempts = attempts + 1, last_error = ? WHERE id = ?', {
              replacements: [String(error).slice(0, 500), row.id],
              transaction,
            });
            return;
          }
        }
      };
      let next = 0;
      const worker = async () => {
        while (!failed && next < chains.length) await sendChain(chains[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(RELAY_CONCURRENCY, chains.length) }, worker));
      if (sentIds.length > 0) {
        await sequelize.query('UPDATE mq_producer_log SET sent_at = UTC_TIMESTAMP(3), attempts = attempts + 1 WHERE id IN (?)', {
          replacements: [sentIds],
          transaction,
        });
      }
      await this.recordBacklog(rows, sentIds, transaction);
      return sentIds.length;
    });
  }

  /** The backlog this pass leaves (mq-metrics.ts): its rows not sent, or a count when the batch was full. */
  private async recordBacklog(rows: OutboxRow[], sentIds: string[], transaction: Transaction): Promise<void> {
    const sent = new Set(sentIds);
    const unsent = rows.filter((row) => !sent.has(row.id));
    if (rows.length < this.batchSize) return recordOutboxBacklog(unsent.length, unsent[0]?.created_at);
    // More rows than a batch: counted (only then, so that a drained outbox costs no query).
    const [backlog] = await this.options.sequelize.query<{ unsent: number; oldest: Date | null }>(
      'SELECT COUNT(*) AS unsent, MIN(created_at) AS oldest FROM mq_producer_log WHERE sent_at IS NULL',
      { type: QueryTypes.SELECT, transaction },
    );
    recordOutboxBacklog(Number(backlog?.unsent ?? 0), backlog?.oldest ?? undefined);
  }

  private send(row: OutboxRow): Promise<unknown> {
    return this.options.producer.send({
      topic: row.topic,
      tag: row.tag,
      keys: JSON.parse(row.message_keys) as string[],
      body: Buffer.from(row.body),
      properties: JSON.parse(row.properties) as Record<string, string>,
      ...(row.deliver_at && { deliverAt: row.deliver_at }),
    });
  }
}

/** How soon a local commit's row is sent by an idle relay: a burst of commits shares one pass. */
const WAKE_DELAY_MS = 20;

/** Sends under way at once per relay: enough to hide the broker's round trip, few enough not to flood it. */
const RELAY_CONCURRENCY = 16;

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
