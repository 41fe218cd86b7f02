/**
 * Effectively-once consumption: a consumer records (group, tag, key) in mq_consumer_log in the
 * same DB transaction as the message's effect. A redelivered or duplicated message finds its
 * row and is acknowledged without effect; an effect that fails rolls its row back with it, so
 * the broker's redelivery tries again. No row is ever left "processing".
 */
import type { Sequelize, Transaction } from 'sequelize';
import { insertUnique, type Migration } from '../db';
import type { ReceivedMessage } from './mq-message';

export const consumeLogMigration: Migration = {
  id: '0000-mq-consumer-log',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS mq_consumer_log (
        consumer_group VARCHAR(64) NOT NULL,
        tag VARCHAR(64) NOT NULL,
        message_key VARCHAR(128) NOT NULL,
        message_id VARCHAR(64) NOT NULL,
        consumed_at DATETIME(3) NOT NULL,
        PRIMARY KEY (consumer_group, tag, message_key)
      ) ENGINE=InnoDB`);
  },
};

export type ConsumeOutcome = 'applied' | 'duplicate';

/**
 * Runs `effect` for the message unless this group already did, atomically with the record
 * that it did. The idempotency key is the message's first key (the order id, payment id...).
 * Concurrent deliveries of one message serialise on the log row: the second waits for the
 * first to commit, then sees a duplicate (or applies, if the first rolled back).
 *
 * @throws whatever `effect` throws, after rolling back both the effect and the log row.
 */
export async function consumeOnce(
  sequelize: Sequelize,
  group: string,
  message: ReceivedMessage,
  effect: (transaction: Transaction) => Promise<void>,
): Promise<ConsumeOutcome> {
  const key = message.keys[0];
  if (!key) throw new Error(`message ${message.messageId} (${message.tag}) has no key to deduplicate on`);
  return sequelize.transaction(async (transaction) => {
    const inserted = await insertUnique(
      sequelize,
      'INSERT INTO mq_consumer_log (consumer_group, tag, message_key, message_id, consumed_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))',
      [group, message.tag, key, message.messageId],
      transaction,
    );
    if (!inserted) return 'duplicate';
    await effect(transaction);
    return 'applied';
  });
}
