/**
 * The shape of messages as the services see them: JSON bodies, a tag naming the event
 * ("order.cancel"), keys (the business id: order id, payment id) and string properties (the
 * trace crosses process boundaries here: W3C `traceparent`/`tracestate`, as OpenTelemetry's
 * messaging conventions carry it).
 */
import type { MessageOptions, MessageView } from 'rocketmq-client-nodejs';
import { traceHeaders } from '../trace/trace-context';

export interface OutgoingMessage {
  topic: string;
  /** Event type, used by consumers to filter ("order.cancel", "pay.succeeded"). */
  tag: string;
  /** Business keys; the first is the idempotency key consumers record in mq_consumer_log. */
  keys: string[];
  /** Serialised as JSON unless already a Buffer. */
  body: unknown;
  properties?: Record<string, string>;
  /** A timer message (DELAY topics only): the broker delivers it at this time, not before. */
  deliverAt?: Date;
}

export interface ReceivedMessage {
  messageId: string;
  topic: string;
  tag: string;
  keys: string[];
  body: Buffer;
  properties: Record<string, string>;
  /** 1 on the first delivery. */
  deliveryAttempt: number;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

export function toMessageOptions(message: OutgoingMessage): MessageOptions {
  if (message.keys.length === 0) throw new Error(`message ${message.topic}/${message.tag} needs at least one key`);
  return {
    topic: message.topic,
    tag: message.tag,
    keys: message.keys,
    body: Buffer.isBuffer(message.body) ? message.body : Buffer.from(JSON.stringify(message.body)),
    properties: new Map(Object.entries(withTrace(message.properties ?? {}))),
    ...(message.deliverAt && { deliveryTimestamp: message.deliverAt }),
  };
}

/**
 * The span sending the message (mq-producer.ts, mq-transactional-producer.ts) is the parent of
 * its consumers: its traceparent replaces the one an outbox row kept, which is that span's parent.
 * With tracing off, a kept traceparent travels as it is.
 */
function withTrace(properties: Record<string, string>): Record<string, string> {
  const headers = traceHeaders();
  return Object.keys(headers).length > 0 ? { ...properties, ...headers } : properties;
}

export function fromMessageView(view: MessageView): ReceivedMessage {
  const body = view.body;
  return {
    messageId: view.messageId,
    topic: view.topic,
    tag: view.tag ?? '',
    keys: view.keys,
    body,
    properties: Object.fromEntries(view.properties),
    deliveryAttempt: view.deliveryAttempt ?? 1,
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}
