/**
 * The trace of the work in progress (OpenTelemetry): spans carried implicitly through async calls
 * by the SDK's context manager, and explicitly across processes as W3C `traceparent` (HTTP
 * header, gRPC metadata, RocketMQ message property), so that one order is one trace.
 *
 * Everything here goes through `@opentelemetry/api`: with tracing off (no SDK started) the API
 * is a no-op and each helper costs a flag test.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  isSpanContextValid,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/** The response header that tells a caller the trace id of its request (support, tests). */
export const TRACE_ID_HEADER = 'x-trace-id';
/** The W3C Trace Context header/property names. */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

const tracer = trace.getTracer('@shop/common');

let enabled = false;

/** Set by startTracing: until then (or with tracing off) the helpers below do nothing. */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

export function tracingEnabled(): boolean {
  return enabled;
}

/** The trace id of the work in progress, or undefined outside any traced work (or tracing off). */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** The ids the logger writes on each line: trace and span of the work in progress. */
export function currentLogIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : undefined;
}

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const recordGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** `traceparent` (and `tracestate`) of `from` (the active context by default); empty with tracing off. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  if (enabled) propagation.inject(from, headers, recordSetter);
  return headers;
}

/** The context a `traceparent` in `carrier` names, on top of `base` (the root by default). */
export function contextFrom(carrier: Record<string, string | string[] | undefined>, base: Context = ROOT_CONTEXT): Context {
  return enabled ? propagation.extract(base, carrier, recordGetter) : base;
}

/** True when `carrier` names a valid remote span. */
export function hasTraceparent(carrier: Record<string, string | string[] | undefined>): boolean {
  return typeof carrier[TRACEPARENT] === 'string' && linkTo(contextFrom(carrier)) !== undefined;
}

/** A link to the span of `from`, if there is a valid one. */
export function linkTo(from: Context): Link | undefined {
  const spanContext = trace.getSpan(from)?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? { context: spanContext } : undefined;
}

/**
 * Zipkin's model has no span links (its exporter drops them): the linked spans are also written
 * as a tag, `<traceId>-<spanId>` comma-separated, so that the Zipkin UI can lead to them.
 */
export const LINKS_ATTRIBUTE = 'shop.links';

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent context; the active one unless given (ROOT_CONTEXT for a new trace). */
  parent?: Context;
  links?: (Link | undefined)[];
}

/**
 * Runs `work` inside a new span (the active span while it runs), ended when `work` settles; a
 * thrown error marks the span as failed. With tracing off, `work` runs as is.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!enabled) return work(undefined);
  const links = (options.links ?? []).filter((link): link is Link => link !== undefined);
  const attributes = links.length > 0 ? { ...options.attributes, [LINKS_ATTRIBUTE]: links.map(formatLink).join(',') } : options.attributes;
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes, links }, parent);
  return context
    .with(trace.setSpan(parent, span), () => work(span))
    .then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    );
}

/** Marks a span as failed by `error` (its message as the status, the exception as an event). */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Work that starts on its own (a sweeper's run, a broker's check-back): a new trace, linked to
 * the trace its subject came from when that is known.
 */
export function inRootSpan<T>(name: string, options: Omit<SpanOptions, 'parent'>, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  return inSpan(name, { ...options, parent: ROOT_CONTEXT }, work);
}

/**
 * Work done for something whose trace was kept (an order's placement, in its row): a span of that
 * trace, linked to the work in progress (a notification, a sweeper's run). Without a valid kept
 * traceparent, a span of the work in progress.
 */
export function inTraceOf<T>(traceparent: string | null | undefined, name: string, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!enabled) return work(undefined);
  const kept = traceparent ? contextFrom({ [TRACEPARENT]: traceparent }) : undefined;
  return kept && linkTo(kept) ? inSpan(name, { parent: kept, links: [linkTo(context.active())] }, work) : inSpan(name, {}, work);
}

/**
 * Runs `fn` outside any trace: a timer armed during traced work (a relay woken by a commit) would
 * otherwise carry that work's context into every run it schedules after.
 */
export function outsideAnyTrace<T>(fn: () => T): T {
  return enabled ? context.with(ROOT_CONTEXT, fn) : fn();
}

function formatLink(link: Link): string {
  return `${link.context.traceId}-${link.context.spanId}`;
}

export { SpanKind };
