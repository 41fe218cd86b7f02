import { format } from 'node:util';
import type { ILogger } from 'rocketmq-client-nodejs';
import type { Logger } from '../log';

/** Where the RocketMQ proxy is, and how long to wait for a client to start. */
export interface MqConnection {
  endpoints: string;
  namespace: string;
  startupTimeoutMs: number;
  logger: Logger;
}

/**
 * The RocketMQ client's `startup()` waits forever when the proxy does not answer: bound it, and
 * release the half-started client so the process can exit or retry cleanly.
 */
export async function startWithin(
  client: { startup(): Promise<void>; shutdown(): Promise<void> },
  timeoutMs: number,
  what: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms (is the RocketMQ proxy up?)`)), timeoutMs);
  });
  try {
    await Promise.race([client.startup(), timeout]);
  } catch (error) {
    void shutdownWithin(client, 5_000).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Shutdown that cannot hang a process on its way out. */
export async function shutdownWithin(client: { shutdown(): Promise<void> }, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.shutdown(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Routes the client's printf-style logs into pino (instead of ~/logs/rocketmq/*.log). */
export function clientLogger(logger: Logger): ILogger {
  const child = logger.child({ component: 'rocketmq-client' });
  return {
    info: (message: string, ...args: unknown[]) => child.debug(format(message, ...args)),
    warn: (message: string, ...args: unknown[]) => child.warn(format(message, ...args)),
    error: (message: string, ...args: unknown[]) => child.error(format(message, ...args)),
    debug: (message: string, ...args: unknown[]) => child.trace(format(message, ...args)),
  };
}
