/**
 * Sending and receiving the catalogue's events, typed by it. A service asks for its view,
 * `eventsOf('order')`, and gets:
 * - `message(name, body)`: the outgoing message of an event it produces (topic, tag and key
 *   taken from the catalogue), for the outbox;
 * - `half(name, body)`: the same for a half message, for its TransactionalProducer;
 * - `on(name, handler)`: the handler of an event it consumes, whose body is decoded and checked
 *   against the catalogue before the handler sees it (a malformed one goes to dead letters).
 */
import { MalformedMessage, type EventHandler, type OutgoingMessage, type ReceivedMessage } from '@shop/common/mq';
import type { Transaction } from 'sequelize';
import { problemWith } from './event-schema';
import { Events, type ConsumedBy, type EventBody, type EventName, type ProducedBy, type ServiceName } from './events';

export interface TypedHandler<Body, Prepared> {
  handle(transaction: Transaction, body: Body, message: ReceivedMessage, prepared: Prepared): Promise<void>;
  before?(body: Body, message: ReceivedMessage): Promise<Prepared>;
}

export interface ServiceEvents<S extends ServiceName> {
  message<N extends ProducedBy<S>>(name: N, body: EventBody<N>, options?: { deliverAt?: Date }): OutgoingMessage;
  half<N extends ProducedBy<S>>(name: N, body: EventBody<N>): Omit<OutgoingMessage, 'topic'>;
  on<N extends ConsumedBy<S>, Prepared = undefined>(name: N, handler: TypedHandler<EventBody<N>, Prepared>): EventHandler<EventBody<N>, Prepared>;
}

function keyOf(name: EventName, body: Record<string, unknown>): string {
  return String(body[Events[name].key]);
}

/** Parses and checks the body of a received message as the named event. */
export function decodeEvent<N extends EventName>(name: N, message: Pick<ReceivedMessage, 'body'>): EventBody<N> {
  let body: unknown;
  try {
    body = JSON.parse(message.body.toString('utf8'));
  } catch {
    throw new MalformedMessage(`the body of ${name} is not JSON`);
  }
  const problem = problemWith(Events[name].body, body);
  if (problem) throw new MalformedMessage(`${name}: ${problem}`);
  return body as EventBody<N>;
}

export function eventsOf<S extends ServiceName>(service: S): ServiceEvents<S> {
  void service; // the service only narrows the types: what it may send and receive
  return {
    message: (name, body, options) => ({
      topic: Events[name].topic,
      tag: name,
      keys: [keyOf(name, body)],
      body,
      ...(options?.deliverAt && { deliverAt: options.deliverAt }),
    }),
    half: (name, body) => ({ tag: name, keys: [keyOf(name, body)], body }),
    on: (name, handler) => ({
      topic: Events[name].topic,
      tag: name,
      decode: (message) => decodeEvent(name, message),
      handle: (tx, body, message, prepared) => handler.handle(tx, body, message, prepared),
      ...(handler.before && { before: handler.before.bind(handler) }),
    }),
  };
}
