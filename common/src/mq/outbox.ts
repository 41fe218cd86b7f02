/**
 * The outbox (mq_producer_log): an event is inserted in the same DB transaction as the state
 * change it announces, and a relay sends the rows not yet sent. A crash between commit and
 * send delays the event, never loses it; a crash between send and "mark sent" sends it twice,
 * which consumers absorb (consume log). At-least-once, in id order per relay batch.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Migration } from '../db';
import type { Logger } from '../log';
import { currentTraceId } from '../trace';
import { TRACE_ID_PROPERTY, type OutgoingMessage } from './mq-message';
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
 * Adds an event to the outbox inside the caller's transaction: it exists if and only if the
 * transaction commits. The current trace id is stored with it, to travel with the message.
 */
export async function enqueueEvent(sequelize: Sequelize, transaction: Transaction, id: string, message: OutgoingMessage): Promise<void> {
  if (message.keys.length === 0) throw new Error(`event ${message.topic}/${message.tag} needs at least one key`);
  const traceId = currentTraceId();
  const properties = { ...(traceId && { [TRACE_ID_PROPERTY]: traceId }), ...message.properties };
  await sequelize.query(
    `INSERT INTO mq_producer_log (id, topic, tag, message_keys, body, properties, deliver_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`,
    {
      replacements: [id, message.topic, message.tag, JSON.stringify(message.keys), JSON.stringify(message.body), JSON.stringify(properties), message.deliverAt ?? null],
      type: QueryTypes.INSERT,
      transaction,
    },
  );
}

interface OutboxRow {
  id: string;
  topic: string;
  tag: string;
  message_keys: string;
  body: string;
  properties: string;
  deliver_at: Date | null;
}

export interface OutboxRelayOptions {
  sequelize: Sequelize;
  producer: Pick<MqProducer, 'send'>;
  logger: Logger;
  batchSize?: number;
  intervalMs?: number;
}

/**
 * Sends unsent outbox rows. Several relays (one per instance) share the work: each batch is
 * claimed with SELECT ... FOR UPDATE SKIP LOCKED, so a row is sent by one relay at a time.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    const tick = () => {
      this.running = this.relayOnce()
        .catch((error: unknown) => {
          this.options.logger.error({ err: error }, 'outbox relay failed; will retry');
          return 0;
        })
        .finally(() => {
          this.running = undefined;
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs ?? 500);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Sends one batch; returns how many rows it sent. Stops at the first failure (order kept). */
  async relayOnce(): Promise<number> {
    const { sequelize, producer, logger } = this.options;
    return sequelize.transaction(async (transaction) => {
      const rows = await sequelize.query<OutboxRow>(
        'SELECT id, topic, tag, message_keys, body, properties, deliver_at FROM mq_producer_log WHERE sent_at IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED',
        { replacements: [this.options.batchSize ?? 100], type: QueryTypes.SELECT, transaction },
      );
      let sent = 0;
      for (const row of rows) {
        try {
          await producer.send({
            topic: row.topic,
            tag: row.tag,
            keys: JSON.parse(row.message_keys) as string[],
            body: Buffer.from(row.body),
            properties: JSON.parse(row.properties) as Record<string, string>,
            ...(row.deliver_at && { deliverAt: row.deliver_at }),
          });
        } catch (error) {
          logger.warn({ err: error, outboxId: row.id }, 'outbox send failed; the row stays unsent');
          await sequelize.query('UPDATE mq_producer_log SET attempts = attempts + 1, last_error = ? WHERE id = ?', {
            replacements: [String(error).slice(0, 500), row.id],
            transaction,
          });
          break;
        }
        await sequelize.query('UPDATE mq_producer_log SET sent_at = UTC_TIMESTAMP(3), attempts = attempts + 1 WHERE id = ?', {
          replacements: [row.id],
          transaction,
        });
        sent++;
      }
      return sent;
    });
  }
}
