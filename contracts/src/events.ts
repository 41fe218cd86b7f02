/**
 * The event catalogue: every message of the consistency protocol, by its tag, with its topic,
 * its body, the body field that is its key (the first message key, which consumers deduplicate
 * on), who produces it and who consumes it. Producers and consumers reach messages only through
 * `eventsOf(service)` (event-bus.ts), typed by this table: a wrong body, an unknown tag, or an
 * event a service neither produces nor consumes does not compile; bodies are checked again at
 * the consumer's door.
 */
import { fields as f, type BodyOf, type Schema } from './event-schema';
import { Tags, Topics } from './topics';

export type ServiceName = 'goods' | 'coupon' | 'user' | 'order' | 'pay';

/** How the message is sent: a half message resolved by its transaction, an outbox row, or a broker timer (through the outbox). */
export type Delivery = 'half' | 'outbox' | 'timer';

export interface EventDefinition<S extends Schema = Schema> {
  topic: string;
  body: S;
  key: keyof S & string;
  delivery: Delivery;
  producer: ServiceName;
  consumers: readonly ServiceName[];
}

function event<const S extends Schema, const D extends EventDefinition<S>>(definition: D & EventDefinition<S>): D {
  return definition;
}

const orderCancelled = { orderId: f.id, userId: f.id, reason: f.optional(f.text) };
const paymentClosed = { paymentId: f.id, orderId: f.id };
const releasers = ['goods', 'coupon', 'user'] as const;

export const Events = {
  /** The half message of every placement: committed when it failed or was abandoned (release everything). */
  [Tags.ORDER_CANCEL]: event({
    topic: Topics.ORDER_PLACEMENT,
    delivery: 'half',
    body: orderCancelled,
    key: 'orderId',
    producer: 'order',
    consumers: releasers,
  }),
  /** Any move to CANCELLED: release, and close the order's open trade. */
  [Tags.ORDER_CANCELLED]: event({
    topic: Topics.ORDER_EVENTS,
    delivery: 'outbox',
    body: orderCancelled,
    key: 'orderId',
    producer: 'order',
    consumers: [...releasers, 'pay'],
  }),
  /** The order is paid: points are floor(balance paid + amount paid). */
  [Tags.ORDER_PAID]: event({
    topic: Topics.ORDER_EVENTS,
    delivery: 'outbox',
    body: { orderId: f.id, userId: f.id, points: f.count },
    key: 'orderId',
    producer: 'order',
    consumers: ['user'],
  }),
  /** The order's own timer, delivered after its pay deadline. */
  [Tags.ORDER_PAY_DEADLINE]: event({
    topic: Topics.ORDER_TIMERS,
    delivery: 'timer',
    body: { orderId: f.id, payDeadline: f.time },
    key: 'orderId',
    producer: 'order',
    consumers: ['order'],
  }),
  /** A payment arrived for an order that cannot take it: refund it in full. orderStatus: the order's status then. */
  [Tags.ORDER_PAYMENT_REJECTED]: event({
    topic: Topics.ORDER_EVENTS,
    delivery: 'outbox',
    body: { paymentId: f.id, orderId: f.id, orderStatus: f.text },
    key: 'paymentId',
    producer: 'order',
    consumers: ['pay'],
  }),
  /** An admin approved an after-sales request; amount empty: everything left. */
  [Tags.ORDER_AFTER_SALES_APPROVED]: event({
    topic: Topics.ORDER_EVENTS,
    delivery: 'outbox',
    body: { afterSalesId: f.id, orderId: f.id, userId: f.id, amount: f.text, reason: f.text },
    key: 'afterSalesId',
    producer: 'order',
    consumers: ['pay'],
  }),
  /** The half message of every payment, committed once its unpaid trade is closed at the deadline. */
  [Tags.PAY_TIMEOUT]: event({ topic: Topics.PAY_TIMEOUT, delivery: 'half', body: paymentClosed, key: 'paymentId', producer: 'pay', consumers: ['order'] }),
  /** The pay sweeper closed an unpaid trade (same effect as pay.timeout). */
  [Tags.PAY_CLOSED]: event({ topic: Topics.PAY_EVENTS, delivery: 'outbox', body: paymentClosed, key: 'paymentId', producer: 'pay', consumers: ['order'] }),
  /** A payment was applied (notification or query). tradeNo may be empty when Alipay did not say it. */
  [Tags.PAY_SUCCEEDED]: event({
    topic: Topics.PAY_EVENTS,
    delivery: 'outbox',
    body: { paymentId: f.id, orderId: f.id, userId: f.id, amount: f.amount, tradeNo: f.text },
    key: 'paymentId',
    producer: 'pay',
    consumers: ['order', 'pay'],
  }),
  /** A refund of an order ended: the order closes its hold, and is REFUNDED once refunds reach what it was paid. */
  [Tags.PAY_REFUND_FINISHED]: event({
    topic: Topics.PAY_EVENTS,
    delivery: 'outbox',
    body: { refundId: f.id, orderId: f.id, status: f.oneOf('SUCCEEDED', 'FAILED'), reason: f.text },
    key: 'refundId',
    producer: 'pay',
    consumers: ['order'],
  }),
} as const;

export type EventName = keyof typeof Events;
export type EventBody<N extends EventName> = BodyOf<(typeof Events)[N]['body']>;
/** The events a service may send. */
export type ProducedBy<S extends ServiceName> = { [N in EventName]: (typeof Events)[N]['producer'] extends S ? N : never }[EventName];
/** The events a service may consume. */
export type ConsumedBy<S extends ServiceName> = { [N in EventName]: S extends (typeof Events)[N]['consumers'][number] ? N : never }[EventName];

export type OrderCancelledEvent = EventBody<typeof Tags.ORDER_CANCELLED>;
export type OrderPaidEvent = EventBody<typeof Tags.ORDER_PAID>;
export type OrderPayDeadlineEvent = EventBody<typeof Tags.ORDER_PAY_DEADLINE>;
export type OrderPaymentRejectedEvent = EventBody<typeof Tags.ORDER_PAYMENT_REJECTED>;
export type OrderAfterSalesApprovedEvent = EventBody<typeof Tags.ORDER_AFTER_SALES_APPROVED>;
export type PayClosedEvent = EventBody<typeof Tags.PAY_CLOSED>;
export type PaySucceededEvent = EventBody<typeof Tags.PAY_SUCCEEDED>;
export type PayRefundFinishedEvent = EventBody<typeof Tags.PAY_REFUND_FINISHED>;
