export { MqConsumer, type ConsumerOptions, type MessageHandler } from './mq-consumer';
export { shutdownWithin, startWithin, type MqConnection } from './mq-lifecycle';
export { type OutgoingMessage, type ReceivedMessage } from './mq-message';
export { MqProducer } from './mq-producer';
export { TransactionalProducer, type HalfMessage, type TransactionCheck, type TransactionVerdict } from './mq-transactional-producer';
export { consumeLogMigration, consumeOnce, type ConsumeOutcome } from './consume-log';
export { enqueueEvent, outboxInsert, wakeRelays, outboxMigration, outboxMigrations, OutboxRelay, type OutboxRelayOptions } from './outbox';
export { startServiceConsumer, type AnyEventHandler, type EventHandler, type ServiceConsumerOptions } from './service-consumer';
export { consumerMigrations, deadLetterMigration, MalformedMessage, recordDeadLetter } from './dead-letter';
