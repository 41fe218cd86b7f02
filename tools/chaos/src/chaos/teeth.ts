/**
 * `npm run chaos:teeth`: proves the harness sees what it is there to see. For each defect planted
 * on purpose (common/src/contracts/planted-defects.ts), a short run must report a violation;
 * a run that reports none means the harness lost its teeth. Exits 1 then.
 */
import { PlantedDefects } from '@shop/contracts';
import { loadChaosConfig } from './config';
import { runChaos } from './run';

async function main(): Promise<void> {
  const base = loadChaosConfig();
  // Long enough for every kind of operation to happen a few times under the faults.
  const seconds = Number(process.env.CHAOS_SECONDS ?? 90);
  const results: { plant: string; violations: number; failing: string[]; report: string }[] = [];
  for (const plant of Object.values(PlantedDefects)) {
    // A planted defect may keep the run from settling (money never refunded): no need to wait long.
    const result = await runChaos({ ...base, seconds, plant, settleTimeoutMs: Math.min(base.settleTimeoutMs, 90_000) });
    results.push({
      plant,
      violations: result.violations,
      failing: result.invariants.filter((r) => r.violations.length > 0).map((r) => r.name),
      report: result.reportFile,
    });
  }
  console.log('\n[chaos] planted defect -> what the harness reported');
  for (const result of results)
    console.log(`[chaos] ${result.plant}: ${result.violations} violations (${result.failing.join('; ') || 'NONE'}) ${result.report}`);
  process.exit(results.every((result) => result.violations > 0) ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
