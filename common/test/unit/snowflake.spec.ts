import assert from 'node:assert/strict';
import { ClockMovedBackwardsError, isSnowflakeId, parseSnowflake, SnowflakeGenerator } from '../../src/ids';

describe('snowflake ids', () => {
  it('are strictly increasing strings that carry time and worker', () => {
    const generator = new SnowflakeGenerator(37);
    const ids = Array.from({ length: 20_000 }, () => generator.nextBigInt());
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `id ${i} not increasing`);
    const parts = parseSnowflake(ids[0]!.toString());
    assert.equal(parts.workerId, 37);
    assert.ok(Math.abs(parts.timestamp.getTime() - Date.now()) < 5_000);
    // Beyond 2^53: a JS number would corrupt them, which is why they travel as strings.
    assert.ok(ids[0]! > BigInt(Number.MAX_SAFE_INTEGER));
    assert.ok(isSnowflakeId(generator.next()));
  });

  it('never repeat across workers in the same millisecond', () => {
    const fixedNow = () => 1_800_000_000_000;
    const a = new SnowflakeGenerator(1, fixedNow);
    const b = new SnowflakeGenerator(2, fixedNow);
    const seen = new Set<string>();
    for (let i = 0; i < 4096; i++) {
      seen.add(a.next());
      seen.add(b.next());
    }
    assert.equal(seen.size, 8192);
  });

  it('waits for the next millisecond when 4096 ids were issued in one', () => {
    let now = 1_800_000_000_000;
    let calls = 0;
    const clock = () => {
      calls++;
      // time moves on only after the generator has spun a few times
      if (calls > 4100) now = 1_800_000_000_001;
      return now;
    };
    const generator = new SnowflakeGenerator(0, clock);
    const ids = Array.from({ length: 4097 }, () => generator.next());
    assert.equal(new Set(ids).size, 4097);
    assert.equal(parseSnowflake(ids[4096]!).timestamp.getTime(), 1_800_000_000_001);
  });

  it('refuses to issue ids when the clock jumps back', () => {
    let now = 1_800_000_000_000;
    const generator = new SnowflakeGenerator(0, () => now);
    generator.next();
    now -= 1_000;
    assert.throws(() => generator.next(), ClockMovedBackwardsError);
  });

  it('rejects invalid worker ids and malformed id strings', () => {
    assert.throws(() => new SnowflakeGenerator(1024), RangeError);
    assert.throws(() => new SnowflakeGenerator(-1), RangeError);
    for (const bad of ['', '0', '-5', '1e9', '9223372036854775808', 'abc', 12]) assert.equal(isSnowflakeId(bad), false, String(bad));
  });
});
