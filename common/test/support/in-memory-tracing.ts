/**
 * Tracing inside a test process: the SDK started once (a process has one global tracer provider),
 * spans kept in memory for the spec to read instead of exported.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/trace';

let exporter: InMemorySpanExporter | undefined;

/** The in-memory exporter of this process's spans (tracing started on the first call). */
export function inMemoryTracing(): InMemorySpanExporter {
  if (!exporter) {
    exporter = new InMemorySpanExporter();
    startTracing(
      'test',
      { exporter: 'zipkin', zipkinUrl: 'http://127.0.0.1:9/unused' },
      { spanProcessors: [new SimpleSpanProcessor(exporter)], instrument: false, detectHost: false },
    );
  }
  return exporter;
}

/** The finished spans named `name`. */
export function spansNamed(name: string): ReadableSpan[] {
  return inMemoryTracing()
    .getFinishedSpans()
    .filter((span) => span.name === name);
}
