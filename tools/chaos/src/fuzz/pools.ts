/**
 * Real ids for the generated requests. Arbitraries are built once, but the fixture's ids change
 * during a run (orders are placed, refunded, completed): a generated value holds a PoolRef, a
 * symbolic pick, turned into a real id only when the request is sent.
 */
import { Entries } from './json-text';

export type PoolName = 'goods' | 'order' | 'coupon' | 'user' | 'afterSales' | 'payment';

export class PoolRef {
  constructor(
    readonly pool: PoolName,
    /** Any natural number: taken modulo the pool's size when the request is sent. */
    readonly pick: number,
    /** Prefer an entry of the caller's own (its own order, its own coupon). */
    readonly own: boolean,
    /** Prefer entries in one of these states (orders: PAID for a refund, SHIPPED for a receipt). */
    readonly states: readonly string[] = [],
  ) {}
}

export interface PoolEntry {
  id: string;
  /** The user it belongs to ('' when nobody's). */
  owner: string;
  /** Its state when last seen (orders, after-sales requests, payments). */
  state: string;
}

/** The ids a fuzz run may use, by kind. Entries are replaced as the fixture learns their state. */
export class Pools {
  private readonly entries = new Map<PoolName, Map<string, PoolEntry>>();

  set(pool: PoolName, entry: PoolEntry): void {
    let entries = this.entries.get(pool);
    if (!entries) this.entries.set(pool, (entries = new Map()));
    entries.set(entry.id, entry);
  }

  all(pool: PoolName): PoolEntry[] {
    return [...(this.entries.get(pool)?.values() ?? [])];
  }

  ids(pool: PoolName): string[] {
    return this.all(pool).map((entry) => entry.id);
  }

  /**
   * The id a PoolRef stands for, for a caller: among the caller's own entries in a preferred
   * state if asked and there are any, widening step by step; undefined for an empty pool.
   */
  resolve(ref: PoolRef, caller: string | undefined): string | undefined {
    const all = this.all(ref.pool);
    const own = ref.own && caller ? all.filter((entry) => entry.owner === caller) : all;
    const candidates = [own.filter((entry) => ref.states.includes(entry.state)), own, all].find((list) => list.length > 0);
    return candidates?.[ref.pick % candidates.length]?.id;
  }
}

/** Replaces every PoolRef in a generated value by a real id (`fallback` when the pool is empty). */
export function materialize(value: unknown, resolve: (ref: PoolRef) => string | undefined, fallback = '1'): unknown {
  if (value instanceof PoolRef) return resolve(value) ?? fallback;
  if (Array.isArray(value)) return value.map((item) => materialize(item, resolve, fallback));
  if (value instanceof Entries) return new Entries(value.entries.map(([key, item]) => [key, materialize(item, resolve, fallback)] as const));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, materialize(item, resolve, fallback)]));
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
