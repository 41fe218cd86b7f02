import assert from 'node:assert/strict';
import { measurePaced } from '../lib/measure';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('paced (open-loop) load', () => {
  it('starts calls at the rate asked, whether or not the earlier ones answered', async () => {
    // 100/s for 300 ms: 30 calls of 40 ms each, so about four are in flight at once.
    const result = await measurePaced('slow op', 100, 300, () => sleep(40));
    assert.equal(result.calls, 30);
    assert.equal(result.errors, 0);
    assert.ok(result.concurrency >= 3, `most in flight: ${result.concurrency}`);
    assert.ok(result.p50Ms >= 35, `p50 ${result.p50Ms}`);
  });

  it('does not wait for a stalled call: the calls due meanwhile that find no room are errors', async () => {
    // One call in flight at most: while the first call stalls for 200 ms, the calls due meanwhile
    // cannot start; those are refused as errors, and the ones after the stall are on time again.
    let first = true;
    const op = () => {
      const stall = first;
      first = false;
      return sleep(stall ? 200 : 1);
    };
    const result = await measurePaced('stalling op', 50, 400, op, 1);
    assert.ok(result.errors >= 8, `calls due during the stall and not started: ${result.errors}`);
    assert.ok(result.p99Ms >= 199, `the stalled call's latency from when it was due: ${result.p99Ms}`);
  });

  it('counts a failed call as an error, not a latency', async () => {
    let n = 0;
    const result = await measurePaced('failing op', 100, 100, async () => {
      if (n++ % 2 === 0) throw new Error('refused');
    });
    assert.equal(result.calls + result.errors, 10);
    assert.equal(result.errors, 5);
  });
});
