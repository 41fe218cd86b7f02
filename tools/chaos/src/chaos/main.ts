/** `npm run chaos`: one chaos run against the local system (tools/chaos/README.md). Exits 1 on a violation. */
import { loadChaosConfig } from './config';
import { runChaos } from './run';

runChaos(loadChaosConfig()).then(
  (result) => process.exit(result.violations === 0 && result.settle.settled ? 0 : 1),
  (error: unknown) => {
    console.error('[chaos] the run failed:', error);
    process.exit(2);
  },
);
