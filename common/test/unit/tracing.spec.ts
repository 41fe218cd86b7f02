import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Metadata } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { AlwaysOnSampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { ConfigError, defineConfig, readTracingConfig } from '../../src/config';
import { toMessageOptions, type ReceivedMessage } from '../../src/mq/mq-message';
import { inCheckSpan, inProcessSpan } from '../../src/mq/mq-tracing';
import { tracingInterceptor } from '../../src/rpc/rpc-interceptors';
import { contextFrom, currentLogIds, currentTraceId, inRootSpan, inSpan, inTraceOf, LINKS_ATTRIBUTE, NoOrphanStatements } from '../../src/trace';
import { inMemoryTracing, spansNamed } from '../support/in-memory-tracing';

const read = (source: NodeJS.ProcessEnv, production = false) => defineConfig((env, fail) => readTracingConfig(env, fail, production), source);
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function received(properties: Record<string, string>): ReceivedMessage {
  return {
    messageId: 'm-1',
    topic: 'shop-order-events',
    tag: 'pay.succeeded',
    keys: ['42'],
    body: Buffer.from('{}'),
    properties,
    deliveryAttempt: 1,
    json: () => ({}) as never,
  };
}

describe('tracing settings', () => {
  it('sends to the local Zipkin outside production, and nowhere in production unless told where', () => {
    assert.deepEqual(read({}), { exporter: 'zipkin', zipkinUrl: 'http://127.0.0.1:9411/api/v2/spans' });
    assert.deepEqual(read({}, true), { exporter: 'off' });
    assert.deepEqual(read({ ZIPKIN_URL: 'http://zipkin:9411/api/v2/spans' }, true), { exporter: 'zipkin', zipkinUrl: 'http://zipkin:9411/api/v2/spans' });
    assert.deepEqual(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true), { exporter: 'otlp' });
  });

  it('is off with TRACING=off or OTEL_SDK_DISABLED=true, whatever else is set', () => {
    assert.deepEqual(read({ TRACING: 'off', ZIPKIN_URL: 'http://zipkin:9411/api/v2/spans' }), { exporter: 'off' });
    assert.deepEqual(read({ OTEL_SDK_DISABLED: 'true', TRACING: 'otlp' }), { exporter: 'off' });
  });

  it('refuses an unknown exporter and a Zipkin URL that is not one', () => {
    assert.throws(
      () => read({ TRACING: 'jaeger' }),
      (error: ConfigError) => /TRACING="jaeger" must be one of zipkin, otlp, off/.test(error.message),
    );
    assert.throws(() => read({ ZIPKIN_URL: 'zipkin:9411' }), ConfigError);
  });
});

describe('spans and W3C trace context (in memory)', () => {
  before(() => inMemoryTracing());

  it('carries the client span of a call as traceparent in the gRPC metadata, which the server continues', async () => {
    const metadata = new Metadata();
    const traceId = await inSpan('shop.goods.v1.GoodsService/ReduceStock', { kind: SpanKind.CLIENT }, async () => {
      tracingInterceptor('order')({ service: 'shop.goods.v1.GoodsService', method: 'ReduceStock', metadata });
      return currentTraceId();
    });
    const [, sentTrace, sentSpan] = TRACEPARENT.exec(String(metadata.get('traceparent')[0])) ?? [];
    assert.equal(sentTrace, traceId);
    assert.equal(String(metadata.get('x-caller-app')[0]), 'order');
    const server = trace.getSpan(contextFrom(metadata.getMap() as Record<string, string>))?.spanContext();
    assert.deepEqual([server?.traceId, server?.spanId], [traceId, sentSpan]);
  });

  it('keeps a caller-set traceparent and sends none outside traced work', () => {
    const metadata = new Metadata();
    metadata.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    tracingInterceptor('order')({ service: 's', method: 'm', metadata });
    assert.equal(String(metadata.get('traceparent')[0]), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const untraced = new Metadata();
    tracingInterceptor('order')({ service: 's', method: 'm', metadata: untraced });
    assert.deepEqual(untraced.get('traceparent'), []);
  });

  it('puts the traceparent of the sending span in the message properties, over a kept one', async () => {
    const kept = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const options = await inSpan('send shop-order-events', { kind: SpanKind.PRODUCER }, async () =>
      toMessageOptions({ topic: 'shop-order-events', tag: 't', keys: ['1'], body: {}, properties: { traceparent: kept, region: 'eu' } }),
    );
    const sent = options.properties?.get('traceparent') ?? '';
    assert.match(sent, TRACEPARENT);
    assert.notEqual(sent, kept);
    assert.equal(options.properties?.get('region'), 'eu');
    const untraced = toMessageOptions({ topic: 'shop-order-events', tag: 't', keys: ['1'], body: {}, properties: { traceparent: kept } });
    assert.equal(untraced.properties?.get('traceparent'), kept, 'outside a span the kept one travels as it is');
  });

  it('handles a message in a CONSUMER span, a child of its traceparent', async () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const seen = await inProcessSpan('shop-order', received({ traceparent: parent }), async () => currentTraceId());
    assert.equal(seen, '0af7651916cd43dd8448eb211c80319c');
    const span = spansNamed('process shop-order-events').at(-1)!;
    assert.equal(span.kind, SpanKind.CONSUMER);
    assert.equal(span.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.equal(span.attributes['messaging.consumer.group.name'], 'shop-order');
  });

  it('answers a check-back in a trace of its own, linked to the half message (and the link as a tag for Zipkin)', async () => {
    const half = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const seen = await inSpan('unrelated work', {}, () => inCheckSpan('shop-order-placement', received({ traceparent: half }), async () => currentTraceId()));
    assert.notEqual(seen, '0af7651916cd43dd8448eb211c80319c');
    const span = spansNamed('check shop-order-placement').at(-1)!;
    assert.equal(span.parentSpanContext, undefined, 'a root span');
    assert.deepEqual(
      span.links.map((link) => link.context.spanId),
      ['b7ad6b7169203331'],
    );
    assert.equal(span.attributes[LINKS_ATTRIBUTE], '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331');
  });

  it('does work for something whose trace was kept in that trace, linked to the work in progress', async () => {
    const kept = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const [inKept, current] = await inSpan('notification', {}, async () => [
      await inTraceOf(kept, 'apply payment', async () => currentTraceId()),
      currentTraceId(),
    ]);
    assert.equal(inKept, '0af7651916cd43dd8448eb211c80319c');
    const span = spansNamed('apply payment').at(-1)!;
    assert.equal(span.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.deepEqual(
      span.links.map((link) => link.context.traceId),
      [current],
    );
    const fallback = await inSpan('notification', {}, async () => [
      await inTraceOf('not a traceparent', 'apply payment', async () => currentTraceId()),
      currentTraceId(),
    ]);
    assert.equal(fallback[0], fallback[1], 'without a valid kept trace: in the work in progress');
    assert.deepEqual(spansNamed('apply payment').at(-1)!.links, [], 'and linked to nothing');
  });

  it('marks a span whose work threw as failed, and ends it', async () => {
    await assert.rejects(
      inRootSpan('failing run', {}, async () => {
        throw new Error('database down');
      }),
      /database down/,
    );
    const span = spansNamed('failing run').at(-1)!;
    assert.equal(span.status.code, 2);
    assert.equal(span.status.message, 'database down');
  });

  it('writes the trace and span ids on every log line of traced work', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = pino({ mixin: () => currentLogIds() ?? {} }, sink);
    const ids = await inSpan('handling', {}, async () => {
      logger.info('inside');
      return currentLogIds();
    });
    logger.info('outside');
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(inside?.traceId, ids?.traceId);
    assert.equal(inside?.spanId, ids?.spanId);
    assert.equal(outside?.traceId, undefined);
  });

  it('drops a statement outside traced work (an idle relay polling), keeps one inside', () => {
    const sampler = new NoOrphanStatements(new AlwaysOnSampler());
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    assert.equal(
      sampler.shouldSample(ROOT_CONTEXT, traceId, 'SELECT', SpanKind.CLIENT, { 'db.system.name': 'mysql' }, []).decision,
      SamplingDecision.NOT_RECORD,
    );
    const parent = contextFrom({ traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    assert.equal(
      sampler.shouldSample(parent, traceId, 'SELECT', SpanKind.CLIENT, { 'db.system.name': 'mysql' }, []).decision,
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    assert.equal(sampler.shouldSample(ROOT_CONTEXT, traceId, 'periodic', SpanKind.INTERNAL, {}, []).decision, SamplingDecision.RECORD_AND_SAMPLED);
  });
});
