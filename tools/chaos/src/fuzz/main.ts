/**
 * The API fuzzers against the running system: `npm run fuzz -w @shop/chaos`.
 * FUZZ_SEED (printed first) replays a run; FUZZ_REQUESTS per front door (default 10000),
 * FUZZ_NOTIFY_FORMS (default 2000). Exits 1 when anything failed (5xx, no answer, a malformed
 * answer, a state change by a refused request, a forged notification accepted).
 */
import { loadFuzzConfig } from './config';
import { runFuzz } from './runner';

async function main(): Promise<void> {
  const config = loadFuzzConfig();
  const command = `FUZZ_SEED=${config.seed} FUZZ_REQUESTS=${config.requestsPerDoor} FUZZ_NOTIFY_FORMS=${config.notifyForms} FUZZ_DOORS=${config.doors.join(',')} npm run fuzz -w @shop/chaos`;
  const { report } = await runFuzz(config, (line) => console.log(line), command);
  const failing = report.failing();
  if (failing.length) {
    console.log(`\n${failing.length} failing findings (seed ${config.seed}); the first:`);
    for (const finding of failing.slice(0, 5))
      console.log(`\n[${finding.kind}] ${finding.where}\n${finding.request.slice(0, 800)}\n-> ${finding.answer}\n${finding.detail.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
