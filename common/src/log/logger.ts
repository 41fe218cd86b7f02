import pino, { type Logger } from 'pino';
// The context alone, not the SDK: a process with tracing off loads none of it.
import { currentLogIds } from '../trace/trace-context';

export type { Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout (pino), one `app` field per process so that logs of
 * several services can be merged, and the trace id of the work in progress on every line (from
 * the HTTP request, gRPC call or message being handled: OpenTelemetry's trace and span ids, the
 * ids Zipkin shows, so that a line leads to its trace and back). Level from LOG_LEVEL (default info;
 * "silent" in tests unless set).
 */
export function createLogger(app: string, level = process.env.LOG_LEVEL ?? defaultLevel()): Logger {
  return pino({
    level,
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => currentLogIds() ?? {},
    // Never log secrets even when a whole config or request object is logged by mistake.
    redact: { paths: ['password', '*.password', 'privateKey', '*.privateKey', 'authorization', '*.authorization'], censor: '[redacted]' },
  });
}

function defaultLevel(): string {
  return process.env.NODE_ENV === 'test' ? 'silent' : 'info';
}
