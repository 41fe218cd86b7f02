/**
 * Starts OpenTelemetry in a process (@opentelemetry/sdk-node): W3C trace context, spans batched
 * (BatchSpanProcessor, OTEL_BSP_* settings) to Zipkin or an OTLP collector, and the
 * instrumentations of the libraries the shop does not wrap itself:
 * - node:http (incoming requests of the front doors, outgoing ones such as pay's calls to
 *   Alipay), whose server span fastify's route names (common/src/http/http-app.ts);
 * - mysql2 (every statement Sequelize sends), statements masked: Sequelize inlines its
 *   replacements, and an address or a name has no business in a trace store.
 * gRPC and RocketMQ spans are made by the shop's own client and server wrappers (rpc-client.ts,
 * rpc-server.ts, common/src/mq), cheaper than grpc-js's instrumentation (see docs/decisions.md).
 *
 * Called by runService and runFrontDoor once the configuration is read: mysql2 is loaded by
 * Sequelize when the first connection is opened, later, and node:http's server is patched on
 * its prototype, so the instrumentations see every request and statement.
 */
import { createRequire } from 'node:module';
import { diag, DiagConsoleLogger, DiagLogLevel, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { envDetector, hostDetector } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';
import type { TracingConfig } from '../config';
import { setTracingEnabled } from './trace-context';

export interface Tracing {
  /** Exports the spans still queued, then stops (on the way out of the process). */
  shutdown(): Promise<void>;
}

/** Requests that are not the shop's work: probes and scrapes would otherwise be a trace each. */
const UNTRACED_PATHS = /^\/(livez|readyz|healthz|metrics)(\?|$)/;

export interface TracingOptions {
  /** Instead of a batch to the configured exporter (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  /** Patch node:http and mysql2 (default true). */
  instrument?: boolean;
  /**
   * Describe the host in the spans' resource (default true). The host detector answers
   * asynchronously, which makes the first spans' export wait: an in-memory test exporter turns it off.
   */
  detectHost?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Starts the SDK, once per process; with `TRACING=off` nothing is started or patched, and the helpers of trace-context.ts cost a flag test. */
export function startTracing(application: string, config: TracingConfig, options: TracingOptions = {}): Tracing {
  if (config.exporter === 'off') return { shutdown: async () => undefined };
  const { env = process.env, instrument = true } = options;
  // The SDK's own troubles (an unreachable Zipkin) as one line each on stderr, not silence.
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  const sdk = new NodeSDK({
    serviceName: application,
    // OTEL_RESOURCE_ATTRIBUTES and the host; not the process detector, whose command line and
    // paths would be repeated as tags on every span Zipkin stores.
    resourceDetectors: options.detectHost === false ? [envDetector] : [envDetector, hostDetector],
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : { traceExporter: exporterFor(config) }),
    sampler: new NoOrphanStatements(samplerFromEnv(env)),
    // Metrics and logs have their own paths here (Prometheus, pino): nothing else is started.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: !instrument
      ? []
      : [
          new HttpInstrumentation({
            ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
            // Only calls made for some traced work (Alipay's API from pay), not every stray request.
            requireParentforOutgoingSpans: true,
          }),
          new MySQL2Instrumentation({ maskStatement: true }),
        ],
  });
  sdk.start();
  // node:http was loaded before (fastify's import): the instrumentation patches a module when it
  // is required, so it is required once more here, through the hook it just installed.
  if (instrument) createRequire(__filename)('node:http');
  setTracingEnabled(true);
  return {
    shutdown: async () => {
      setTracingEnabled(false);
      await sdk.shutdown().catch(() => undefined);
    },
  };
}

function exporterFor(config: Exclude<TracingConfig, { exporter: 'off' }>): SpanExporter {
  // The OTLP exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS itself.
  return config.exporter === 'zipkin' ? new ZipkinExporter({ url: config.zipkinUrl }) : new OTLPTraceExporter();
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the specification names them; every trace by default. */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const root = () => new TraceIdRatioBasedSampler(Number.isFinite(ratio) ? Math.min(Math.max(ratio, 0), 1) : 1);
  switch (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on') {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return root();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: root() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * A statement outside any traced work is the outbox relay's or a lease's polling: a trace of one
 * SELECT every few seconds per process would bury the orders in Zipkin. Such spans are not
 * recorded; every other decision is the configured sampler's.
 */
export class NoOrphanStatements implements Sampler {
  constructor(private readonly delegate: Sampler) {}

  shouldSample(parent: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (trace.getSpan(parent) === undefined && ('db.system' in attributes || 'db.system.name' in attributes)) return { decision: SamplingDecision.NOT_RECORD };
    return this.delegate.shouldSample(parent, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `NoOrphanStatements{${this.delegate.toString()}}`;
  }
}
