import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout (pino), one `app` field per process so that logs of
 * several services can be merged. Level from LOG_LEVEL (default info; "silent" in tests unless set).
 */
export function createLogger(app: string, level = process.env.LOG_LEVEL ?? defaultLevel()): Logger {
  return pino({
    level,
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Never log secrets even when a whole config or request object is logged by mistake.
    redact: { paths: ['password', '*.password', 'privateKey', '*.privateKey', 'authorization', '*.authorization'], censor: '[redacted]' },
  });
}

function defaultLevel(): string {
  return process.env.NODE_ENV === 'test' ? 'silent' : 'info';
}
