/**
 * Snowflake ids: 64-bit, time-ordered, unique across processes without a round trip.
 *
 *   0 | 41 bits: ms since 2024-01-01 | 10 bits: worker id | 12 bits: sequence
 *
 * They exceed 2^53, so they are carried as decimal strings in JSON and as BIGINT in MySQL, and
 * never pass through a JS number. Each running process needs its own worker id (see
 * `claimWorkerId` in common/zk, which leases one from ZooKeeper).
 */

export const SNOWFLAKE_EPOCH_MS = Date.UTC(2024, 0, 1);
const WORKER_BITS = 10n;
const SEQUENCE_BITS = 12n;
export const MAX_WORKER_ID = (1 << Number(WORKER_BITS)) - 1;
const MAX_SEQUENCE = (1 << Number(SEQUENCE_BITS)) - 1;
/** How far back the clock may step (NTP slew) before the generator refuses instead of waiting. */
const MAX_BACKWARD_MS = 50;

export class ClockMovedBackwardsError extends Error {}

export class SnowflakeGenerator {
  private lastMs = -1;
  private sequence = 0;

  constructor(
    readonly workerId: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
      throw new RangeError(`worker id must be an integer in 0..${MAX_WORKER_ID}, got ${workerId}`);
    }
  }

  /** Next id as a decimal string. Strictly increasing within this generator. */
  next(): string {
    return this.nextBigInt().toString();
  }

  nextBigInt(): bigint {
    let ms = this.now();
    if (ms < this.lastMs) {
      if (this.lastMs - ms > MAX_BACKWARD_MS) {
        throw new ClockMovedBackwardsError(`clock moved back ${this.lastMs - ms} ms; refusing to issue ids`);
      }
      ms = this.waitUntil(this.lastMs);
    }
    if (ms === this.lastMs) {
      this.sequence = (this.sequence + 1) & MAX_SEQUENCE;
      // 4096 ids in this millisecond already: borrow the next one.
      if (this.sequence === 0) ms = this.waitUntil(this.lastMs + 1);
    } else {
      this.sequence = 0;
    }
    this.lastMs = ms;
    return (BigInt(ms - SNOWFLAKE_EPOCH_MS) << (WORKER_BITS + SEQUENCE_BITS)) | (BigInt(this.workerId) << SEQUENCE_BITS) | BigInt(this.sequence);
  }

  private waitUntil(targetMs: number): number {
    let ms = this.now();
    while (ms < targetMs) ms = this.now();
    return ms;
  }
}

export interface SnowflakeParts {
  timestamp: Date;
  workerId: number;
  sequence: number;
}

export function parseSnowflake(id: string): SnowflakeParts {
  if (!/^\d{1,20}$/.test(id)) throw new RangeError(`not a snowflake id: ${JSON.stringify(id)}`);
  const value = BigInt(id);
  return {
    timestamp: new Date(Number(value >> (WORKER_BITS + SEQUENCE_BITS)) + SNOWFLAKE_EPOCH_MS),
    workerId: Number((value >> SEQUENCE_BITS) & BigInt(MAX_WORKER_ID)),
    sequence: Number(value & BigInt(MAX_SEQUENCE)),
  };
}

/** True for a decimal string that fits a signed 64-bit id (input validation at the edges). */
export function isSnowflakeId(id: unknown): id is string {
  return typeof id === 'string' && /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= 0x7fffffffffffffffn;
}
