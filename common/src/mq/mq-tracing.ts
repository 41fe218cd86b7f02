/**
 * Spans of RocketMQ work, which its Node client does not make itself (OpenTelemetry's messaging
 * conventions, `rocketmq` system):
 * - `send <topic>` (PRODUCER) for every message sent, half messages included; its traceparent
 *   travels in the message's properties (mq-message.ts);
 * - `commit <topic>` / `rollback <topic>` for a transaction's resolution, in the work that decided;
 * - `process <topic>` (CONSUMER) per message handled, a child of the `send` span: one order is
 *   one trace from the front door to its last consumer;
 * - `check <topic>` for a broker's check-back: a trace of its own (the broker asks later, for its
 *   own reasons), linked to the half message's.
 */
import { context, type Attributes, type Span } from '@opentelemetry/api';
import { contextFrom, hasTraceparent, inRootSpan, inSpan, linkTo, SpanKind, tracingEnabled } from '../trace/trace-context';
import type { OutgoingMessage, ReceivedMessage } from './mq-message';

export type SendKind = 'normal' | 'delay' | 'transaction';

function messageAttributes(topic: string, tag: string, keys: string[]): Attributes {
  return {
    'messaging.system': 'rocketmq',
    'messaging.destination.name': topic,
    'messaging.rocketmq.message.tag': tag,
    'messaging.rocketmq.message.keys': keys,
  };
}

/**
 * Sends inside a PRODUCER span. A message that kept the traceparent of the work that wrote it (an
 * outbox row, sent later by the relay) is sent as a child of that work, linked to what sends it.
 */
export function inSendSpan<T>(message: OutgoingMessage, kind: SendKind, send: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return send(undefined);
  const kept = message.properties && hasTraceparent(message.properties) ? contextFrom(message.properties, context.active()) : undefined;
  return inSpan(
    `send ${message.topic}`,
    {
      kind: SpanKind.PRODUCER,
      parent: kept,
      links: kept ? [linkTo(context.active())] : [],
      attributes: {
        ...messageAttributes(message.topic, message.tag, message.keys),
        'messaging.operation.type': 'send',
        'messaging.rocketmq.message.type': kind,
      },
    },
    send,
  );
}

/** A transaction's resolution, in the work that decided it. */
export function inResolutionSpan<T>(
  verdict: 'commit' | 'rollback',
  topic: string,
  message: { tag: string; keys: string[] },
  messageId: string,
  resolve: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `${verdict} ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { ...messageAttributes(topic, message.tag, message.keys), 'messaging.operation.type': 'settle', 'messaging.message.id': messageId },
    },
    resolve,
  );
}

/** Handles a delivered message inside a CONSUMER span, a child of the span that sent it. */
export function inProcessSpan<T>(group: string, message: ReceivedMessage, handle: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return handle();
  return inSpan(
    `process ${message.topic}`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(message.properties),
      attributes: {
        ...messageAttributes(message.topic, message.tag, message.keys),
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': group,
        'messaging.message.id': message.messageId,
        'messaging.rocketmq.message.delivery_attempt': message.deliveryAttempt,
      },
    },
    handle,
  );
}

/** A broker's check-back: a new trace, linked to the half message it asks about. */
export function inCheckSpan<T>(topic: string, message: ReceivedMessage, check: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return check(undefined);
  return inRootSpan(
    `check ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      links: [linkTo(contextFrom(message.properties))],
      attributes: { ...messageAttributes(topic, message.tag, message.keys), 'messaging.operation.type': 'process', 'messaging.message.id': message.messageId },
    },
    check,
  );
}
