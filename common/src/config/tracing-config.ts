/**
 * Where a process sends its traces (common/src/trace/start-tracing.ts).
 *
 * - `TRACING`: `zipkin` (ZIPKIN_URL, default http://127.0.0.1:9411/api/v2/spans: the local
 *   stack's Zipkin), `otlp` (OTLP/HTTP to a collector: OTEL_EXPORTER_OTLP_ENDPOINT or
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, read by the exporter itself) or `off` (no SDK at all: no
 *   spans, no trace ids in the logs, no traceparent sent on). Outside production the default is
 *   zipkin; in production it is otlp when an OTLP endpoint is set, zipkin when ZIPKIN_URL is, off
 *   otherwise (a process must not post spans to a Zipkin nobody runs). OTEL_SDK_DISABLED=true is
 *   off too, whatever TRACING says.
 * - The rest is OpenTelemetry's own environment, read by the SDK: OTEL_TRACES_SAMPLER and
 *   OTEL_TRACES_SAMPLER_ARG (default: every trace), OTEL_BSP_SCHEDULE_DELAY (how long spans wait
 *   before a batch is exported, default 5000 ms; the test profile shortens it),
 *   OTEL_BSP_MAX_QUEUE_SIZE...
 */
import type { EnvReader } from './env-reader';

export const DEFAULT_ZIPKIN_URL = 'http://127.0.0.1:9411/api/v2/spans';

export type TracingConfig = { exporter: 'off' } | { exporter: 'zipkin'; zipkinUrl: string } | { exporter: 'otlp' };

export function readTracingConfig(env: EnvReader, fail: (problem: string) => void, production: boolean): TracingConfig {
  const zipkinUrl = env.string('ZIPKIN_URL', { default: '' });
  const otlpEndpoint = env.string('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', { default: '' }) || env.string('OTEL_EXPORTER_OTLP_ENDPOINT', { default: '' });
  const fallback = !production ? 'zipkin' : otlpEndpoint ? 'otlp' : zipkinUrl ? 'zipkin' : 'off';
  const exporter = env.string('TRACING', { default: fallback, oneOf: ['zipkin', 'otlp', 'off'] });
  if (env.bool('OTEL_SDK_DISABLED', { default: false }) || exporter === 'off') return { exporter: 'off' };
  if (exporter === 'otlp') return { exporter: 'otlp' };
  const url = zipkinUrl || DEFAULT_ZIPKIN_URL;
  if (!/^https?:\/\/[^/]+/.test(url)) fail(`ZIPKIN_URL=${JSON.stringify(url)} is not an http(s) URL`);
  if (production && !zipkinUrl) fail('TRACING=zipkin needs ZIPKIN_URL when NODE_ENV=production');
  return { exporter: 'zipkin', zipkinUrl: url };
}
