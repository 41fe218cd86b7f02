/**
 * The dead-letter path of the service consumers: a message whose body no redelivery can fix
 * (not JSON, a field missing or of the wrong kind) is recorded in mq_dead_letter with what is
 * wrong with it, logged at error, and acknowledged, instead of failing forever and holding its
 * consumer in a crash loop. An operator reads the table, fixes the producer, and replays the row
 * by hand if its effect is still wanted.
 */
import type { Sequelize } from 'sequelize';
import type { Migration } from '../db';
import { consumeLogMigration } from './consume-log';
import type { ReceivedMessage } from './mq-message';

export const deadLetterMigration: Migration = {
  id: '0000-mq-dead-letter',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS mq_dead_letter (
        message_id VARCHAR(64) NOT NULL,
        consumer_group VARCHAR(64) NOT NULL,
        topic VARCHAR(128) NOT NULL,
        tag VARCHAR(64) NOT NULL,
        message_key VARCHAR(128) NOT NULL,
        body MEDIUMBLOB NOT NULL,
        problem VARCHAR(512) NOT NULL,
        recorded_at DATETIME(3) NOT NULL,
        PRIMARY KEY (consumer_group, message_id)
      ) ENGINE=InnoDB`);
  },
};

/** The tables of every service that consumes messages: the consume log and the dead letters. */
export const consumerMigrations: Migration[] = [consumeLogMigration, deadLetterMigration];

/** Thrown by a handler's decode step: the message is malformed and goes to the dead-letter table. */
export class MalformedMessage extends Error {
  override readonly name = 'MalformedMessage';
}

/**
 * Records the message as dead, once per message id (a redelivery of it changes nothing). The
 * consume log is left alone: a well-formed message with the same key, sent once the producer is
 * fixed, is still handled.
 */
export async function recordDeadLetter(sequelize: Sequelize, group: string, message: ReceivedMessage, problem: string): Promise<void> {
  await sequelize.query(
    `INSERT IGNORE INTO mq_dead_letter (message_id, consumer_group, topic, tag, message_key, body, problem, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`,
    { replacements: [message.messageId, group, message.topic, message.tag, message.keys[0] ?? '', message.body, problem.slice(0, 512)] },
  );
}
