/** What the integration specs share: the infrastructure settings and a quiet logger. */
import { loadInfraConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import type { MqConnection } from '../../src/mq';

export const infra = loadInfraConfig();
export const testLogger = createLogger('test', process.env.LOG_LEVEL ?? 'silent');
export const mqConnection: MqConnection = { ...infra.rocketmq, logger: testLogger };

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
