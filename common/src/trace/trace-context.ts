/**
 * The trace id of the work in progress, carried implicitly through async calls
 * (AsyncLocalStorage), and explicitly across processes: HTTP header, gRPC metadata and message
 * property all use it, so the logs of one order can be followed through every service.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export const TRACE_ID_HEADER = 'x-trace-id';

const storage = new AsyncLocalStorage<{ traceId: string }>();

// A random per-process prefix and a counter: unique across processes without calling the
// CRYPTO random source on every request (it showed up at 3% of a client's CPU in bench:rpc).
const PREFIX = randomBytes(6).toString('hex');
let counter = 0;

export function newTraceId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}${counter.toString(36)}`;
}

/** The current trace id, or undefined outside any traced work. */
export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

/** Runs `fn` with `traceId` as the current trace id (a new one when none is given). */
export function runWithTrace<T>(traceId: string | undefined, fn: () => T): T {
  return storage.run({ traceId: traceId && /^[\w-]{1,64}$/.test(traceId) ? traceId : newTraceId() }, fn);
}
