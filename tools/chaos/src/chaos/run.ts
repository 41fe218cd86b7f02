/**
 * One chaos run: bring the system up (with a planted defect when asked), make the fixture, run
 * the mixed load and the fault schedule together, lift the faults, let the system settle, check
 * the invariants, write the report.
 */
import { Client } from './client';
import type { ChaosConfig } from './config';
import { FaultRunner, planFaults } from './faults';
import { createFixture, type Customer } from './fixtures';
import { checkInvariants } from './invariants';
import { processesDown, systemUp } from './processes';
import { Random } from './random';
import { violationsOf, writeReport, type RunSummary } from './report';
import { Outcomes, SCENARIO_WEIGHTS, Scenarios } from './scenarios';
import { liftFaults, settle } from './settle';
import { SnapshotReader } from './snapshot';

const log = (line: string) => console.log(`[chaos] ${line}`);

export async function runChaos(config: ChaosConfig): Promise<RunSummary & { reportFile: string; violations: number }> {
  const random = new Random(config.seed);
  const plan = planFaults(config, random.fork());
  log(`seed ${config.seed}: ${config.seconds} s at concurrency ${config.concurrency}${config.plant ? `, planted defect ${config.plant}` : ''}`);
  log(`fault schedule: ${plan.map((fault) => `+${(fault.at / 1000).toFixed(1)}s ${fault.kind} ${fault.target}`).join('; ')}`);
  if (config.bringUp) {
    // A planted defect lives in the processes' environment: every one starts again with it.
    if (config.plant) await processesDown();
    await systemUp({ SHOP_PLANTED_DEFECT: config.plant });
  }
  try {
    const client = new Client();
    const fixture = await createFixture(client, config, random.fork());
    log(
      `fixture: ${fixture.customers.length} customers, ${fixture.goods.length} goods (one hot SKU of ${fixture.goods.find((g) => g.hot)!.initialStock} units)`,
    );
    const outcomes = new Outcomes();
    const scenarios = new Scenarios({ client, config, fixture, outcomes });
    const startedAt = Date.now();
    const endsAt = startedAt + config.seconds * 1000;
    const faults = new FaultRunner(config, client);
    const faulting = faults.run(plan, startedAt);
    const progress = setInterval(() => {
      const failed = client.attempts.filter((attempt) => attempt.status === 0 || attempt.status >= 500).length;
      log(
        `+${Math.round((Date.now() - startedAt) / 1000)}s: ${outcomes.ordersPlaced} orders placed, ${client.attempts.length} requests, ${failed} answered 5xx or not at all`,
      );
    }, 10_000);
    const worker = async (index: number) => {
      const workerRandom = random.fork();
      // Each worker has customers of its own, and now and then acts for anyone's (races between customers' sessions).
      const own = fixture.customers.filter((_, i) => i % config.concurrency === index);
      while (Date.now() < endsAt) {
        const customer: Customer = workerRandom.chance(0.9) && own.length ? workerRandom.pick(own) : workerRandom.pick(fixture.customers);
        await scenarios
          .run(workerRandom.weighted(SCENARIO_WEIGHTS), customer, workerRandom)
          .catch((error: unknown) => outcomes.add('harness error', String(error).slice(0, 80)));
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, (_, index) => worker(index)));
    const loadEndedAt = Date.now();
    clearInterval(progress);
    log(`load over: ${outcomes.ordersPlaced} orders placed; waiting for the faults still running`);
    await faulting;
    await liftFaults(client, config);
    const reader = await SnapshotReader.open();
    try {
      const settled = await settle(reader, fixture, client, config);
      log(
        settled.settled
          ? `settled ${(settled.settledInMs / 1000).toFixed(1)} s after the faults were lifted`
          : `NOT settled after ${Math.round(settled.settledInMs / 1000)} s: ${settled.open.join(', ')}`,
      );
      const summary: RunSummary = {
        config,
        startedAt,
        loadEndedAt,
        outcomes,
        faults: faults.records,
        attempts: client.attempts,
        settle: settled,
        invariants: checkInvariants(settled.snapshot, fixture),
      };
      const reportFile = writeReport(summary);
      const violations = violationsOf(summary);
      for (const result of summary.invariants)
        log(
          `${result.violations.length === 0 ? 'ok  ' : 'FAIL'} ${result.name} (${result.checked} checked${result.violations.length ? `; ${result.violations.length} violations, e.g. ${result.violations[0]}` : ''})`,
        );
      log(`report: ${reportFile}; ${violations} invariant violations`);
      return { ...summary, reportFile, violations };
    } finally {
      await reader.close();
    }
  } finally {
    if (config.bringUp && config.plant) {
      await processesDown();
      await systemUp({ SHOP_PLANTED_DEFECT: '' });
    }
  }
}
