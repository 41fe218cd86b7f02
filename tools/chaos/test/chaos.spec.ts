/**
 * A short chaos run in `npm test` (fixed seed, about a minute of load with every fault kind):
 * a regression of the money, stock, coupon or point invariants fails the build. The long run
 * (CHAOS_SECONDS=600) and the planted defects are npm scripts (tools/chaos/README.md).
 * Runs last: it kills every process, and the messages their consumers held come back only after
 * RocketMQ's invisible time.
 */
import assert from 'node:assert/strict';
import { loadChaosConfig } from '../src/chaos/config';
import { faultKindsFor } from '../src/chaos/faults';
import { runChaos } from '../src/chaos/run';

describe('chaos: a short run under every kind of fault keeps every unit, cent, coupon and point', function () {
  this.timeout(15 * 60_000);

  it('0 invariant violations, settled within two minutes, every fault kind injected', async () => {
    const config = {
      ...loadChaosConfig(),
      seconds: Number(process.env.CHAOS_SECONDS ?? 60),
      concurrency: Number(process.env.CHAOS_CONCURRENCY ?? 8),
      seed: Number(process.env.CHAOS_SEED ?? 20261201),
      plant: '',
    };
    const result = await runChaos(config);
    assert.ok(result.outcomes.ordersPlaced > 0, 'the load placed orders');
    assert.deepEqual(
      faultKindsFor(config.topology).filter((kind) => !result.faults.some((fault) => fault.kind === kind)),
      [],
      'every fault kind in the schedule',
    );
    assert.deepEqual(
      result.faults.filter((fault) => fault.note.startsWith('failed')).map((fault) => `${fault.kind} ${fault.target}: ${fault.note}`),
      [],
      'every fault carried out',
    );
    assert.ok(result.settle.settled, `settled: ${result.settle.open.join(', ')}`);
    assert.ok(result.settle.settledInMs < 120_000, `settled in ${result.settle.settledInMs} ms`);
    assert.deepEqual(
      result.invariants.filter((r) => r.violations.length > 0).map((r) => `${r.name}: ${r.violations.slice(0, 5).join('; ')}`),
      [],
      `report ${result.reportFile}`,
    );
  });
});
