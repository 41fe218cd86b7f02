/**
 * One order is one trace, read back from Zipkin's API (the local stack's, which every process
 * exports to; the test profile batches spans for 200 ms): the placement through order-web ->
 * order -> goods/coupon/user over gRPC, its half message and the resolution, MySQL statements;
 * then the payment: the gateway's notification is a trace of its own (pay-web -> pay), linked to
 * the order's, and applying it, pay.succeeded and its consumers are spans of the order's trace.
 * The trace id is in the processes' log lines (var/log/<process>.log).
 * Needs the system running with SHOP_PROFILE=test (`npm test` starts it).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tags, Topics } from '@shop/contracts';
import { eventually } from '../../../common/test/support/infra';
import { buyerPays, paymentOf } from '../../pay-web/test/support/pay-api';
import { withSystem } from './support/end-to-end';
import { instancesOf, type ProcessName } from './support/processes';
import { BASE_URL, newCustomer, newGoods } from './support/shop-api';
import type { SystemState } from './support/system-state';

const ZIPKIN = `http://127.0.0.1:${process.env.ZIPKIN_PORT ?? 9411}`;
const LOG_DIR = path.resolve(__dirname, '../../../var/log');

/** A span as Zipkin's v2 API answers it (names lower-cased by Zipkin). */
interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

async function traceFromZipkin(traceId: string): Promise<ZipkinSpan[]> {
  const response = await fetch(`${ZIPKIN}/api/v2/trace/${traceId}`);
  return response.status === 200 ? ((await response.json()) as ZipkinSpan[]) : [];
}

/** The spans whose parent is not in the trace (one, the request's, once every batch arrived). */
function rootsOf(spans: ZipkinSpan[]): ZipkinSpan[] {
  const ids = new Set(spans.map((span) => span.id));
  return spans.filter((span) => !span.parentId || !ids.has(span.parentId));
}

/**
 * Polls Zipkin until the trace has every span `wanted` describes and forms one tree (each process
 * exports its own batches: a child may arrive before its parent).
 */
function traceWith(traceId: string, wanted: Record<string, (span: ZipkinSpan) => boolean>): Promise<ZipkinSpan[]> {
  let missing: string[] = [];
  return eventually(`spans of trace ${traceId} in Zipkin`, 30_000, async () => {
    const spans = await traceFromZipkin(traceId);
    missing = Object.entries(wanted)
      .filter(([, matches]) => !spans.some(matches))
      .map(([what]) => what);
    const roots = rootsOf(spans);
    if (roots.length !== 1) missing.push(`one tree (roots: ${roots.map((span) => `${service(span)} ${span.name}`).join(', ')})`);
    return missing.length === 0 ? spans : undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message}; missing: ${missing.join(', ')}`);
  });
}

const service = (span: ZipkinSpan) => span.localEndpoint?.serviceName ?? '';
const from = (name: string) => (span: ZipkinSpan) => service(span) === name;
const named = (serviceName: string, spanName: string) => (span: ZipkinSpan) => service(span) === serviceName && span.name === spanName.toLowerCase();
const tagged = (serviceName: string, spanName: string, tags: Record<string, string>) => (span: ZipkinSpan) =>
  named(serviceName, spanName)(span) && Object.entries(tags).every(([key, value]) => span.tags?.[key] === value);

/** The log lines of a process (every instance of it, with replicas) that carry `traceId`, as parsed JSON. */
function logLinesOf(process: ProcessName, traceId: string): { msg?: string; traceId?: string }[] {
  return instancesOf(process)
    .flatMap((instance) => readFileSync(path.join(LOG_DIR, `${instance}.log`), 'utf8').split('\n'))
    .filter((line) => line.includes(traceId))
    .map((line) => JSON.parse(line) as { msg?: string; traceId?: string });
}

describe('tracing: one order is one trace in Zipkin', function () {
  this.timeout(120_000);
  let admin: string;
  let state: SystemState;

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  it('placement and payment: every process, the half message and its resolution, MySQL, the notify linked, pay.succeeded consumed in the trace', async () => {
    const goodsId = await newGoods(admin, '30.00', 5);
    const customer = await newCustomer(admin, { balance: '20.00', coupons: ['5.00'] });
    const response = await fetch(`${BASE_URL}/api/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ goodsId, quantity: 1 }],
        couponId: customer.couponIds[0],
        balance: '10.00',
        address: '1 Trace Street',
        consignee: 'Tess',
      }),
    });
    const order = (await response.json()) as { orderId: string; status: string };
    assert.equal(response.status, 201, JSON.stringify(order));
    assert.equal(order.status, 'CONFIRMED');
    const traceId = response.headers.get('x-trace-id') ?? '';
    assert.match(traceId, /^[0-9a-f]{32}$/, 'order-web answers with the trace id of the request');

    const placement = await traceWith(traceId, {
      'order-web: the request': named('order-web', 'POST /api/v1/orders'),
      'order-web: its call to order': named('order-web', 'shop.order.v1.OrderService/PlaceOrder'),
      'order: PlaceOrder served': (span) => from('order')(span) && span.kind === 'SERVER' && span.name === 'shop.order.v1.orderservice/placeorder',
      'goods: ReduceStock served': (span) => from('goods')(span) && span.kind === 'SERVER' && span.name.endsWith('/reducestock'),
      'user: a balance call served': (span) => from('user')(span) && span.kind === 'SERVER',
      'coupon: a coupon call served': (span) => from('coupon')(span) && span.kind === 'SERVER',
      'order: the half message sent': tagged('order', `send ${Topics.ORDER_PLACEMENT}`, {
        'messaging.rocketmq.message.type': 'transaction',
        'messaging.rocketmq.message.tag': Tags.ORDER_CANCEL,
      }),
      'order: the half message resolved': (span) =>
        from('order')(span) && (span.name === `commit ${Topics.ORDER_PLACEMENT}` || span.name === `rollback ${Topics.ORDER_PLACEMENT}`),
      'goods: a MySQL statement': (span) => from('goods')(span) && span.tags?.['db.system.name'] === 'mysql',
      'order: a MySQL statement': (span) => from('order')(span) && span.tags?.['db.system.name'] === 'mysql',
    });
    assert.ok(
      placement.every((span) => span.traceId === traceId),
      'one trace id',
    );
    // The server spans are children of the client spans of the callers: one tree from the request.
    assert.deepEqual(
      rootsOf(placement).map((span) => `${service(span)} ${span.name}`),
      ['order-web post /api/v1/orders'],
    );
    const statement = placement.find((span) => span.tags?.['db.system.name'] === 'mysql' && span.tags?.['db.query.text']?.includes('1 Trace Street'));
    assert.equal(statement, undefined, 'statements are masked: no address in the trace store');

    // The payment: created through pay-web, paid at the gateway, which notifies pay-web.
    const paymentId = await paymentOf(customer.token, order.orderId);
    assert.equal((await buyerPays(paymentId, 'normal')).status, 200);
    await eventually('the order to be PAID', 30_000, async () => ((await state.order(order.orderId))?.status === 'PAID' ? true : undefined));

    const paid = await traceWith(traceId, {
      'pay: the payment applied in the order trace': named('pay', 'apply payment'),
      'order: pay.succeeded consumed': tagged('order', `process ${Topics.PAY_EVENTS}`, { 'messaging.rocketmq.message.tag': Tags.PAY_SUCCEEDED }),
      'pay: pay.succeeded consumed': tagged('pay', `process ${Topics.PAY_EVENTS}`, { 'messaging.rocketmq.message.tag': Tags.PAY_SUCCEEDED }),
      'pay: pay.succeeded sent by the outbox relay': tagged('pay', `send ${Topics.PAY_EVENTS}`, { 'messaging.rocketmq.message.tag': Tags.PAY_SUCCEEDED }),
    });
    const applied = paid.find(named('pay', 'apply payment'))!;
    const [notifyTraceId, notifySpanId] = (applied.tags?.['shop.links'] ?? '').split('-');
    assert.match(notifyTraceId ?? '', /^[0-9a-f]{32}$/, 'applying the payment is linked to the work that found it');
    assert.notEqual(notifyTraceId, traceId);
    const notify = await traceWith(notifyTraceId!, {
      "pay-web: the gateway's notification": named('pay-web', 'POST /api/v1/notify/alipay'),
      'pay: the notification handled': (span) => from('pay')(span) && span.kind === 'SERVER',
    });
    assert.ok(
      notify.some((span) => span.id === notifySpanId),
      'the link names a span of the notification',
    );

    // The trace ids in the log lines: the placement's in order's, the notification's in pay's.
    assert.ok(
      logLinesOf('order', traceId).some((line) => line.traceId === traceId && line.msg === 'placement finished'),
      'order logs the placement with its trace id',
    );
    assert.ok(
      logLinesOf('pay', notifyTraceId!).some((line) => line.traceId === notifyTraceId && /payment applied/.test(line.msg ?? '')),
      'pay logs the notification with its trace id',
    );
  });
});
