/**
 * The trace id of the work in progress, carried implicitly through async calls
 * (AsyncLocalStorage), and explicitly across processes: HTTP header, gRPC metadata and message
 * property all use it, so the logs of one order can be followed through every service.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export const TRACE_ID_HEADER = 'x-trace-id';

const storage = new AsyncLocalStorage<{ traceId: string }>();

export function newTraceId(): string {
  return randomBytes(8).toString('hex');
}

/** The current trace id, or undefined outside any traced work. */
export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

/** Runs `fn` with `traceId` as the current trace id (a new one when none is given). */
export function runWithTrace<T>(traceId: string | undefined, fn: () => T): T {
  return storage.run({ traceId: traceId && /^[\w-]{1,64}$/.test(traceId) ? traceId : newTraceId() }, fn);
}
