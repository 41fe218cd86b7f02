/**
 * Finishes refunds nobody is running: postponed ones when their time comes, and those left
 * behind by a process that died (their lease expired). Runs at start-up, then every interval.
 */
import { startPeriodic, type Stoppable } from '@shop/common/service';
import { runRefund, type RefundRunnerDeps } from '../domain/refund-runner';

export async function resumeRefunds(deps: RefundRunnerDeps, limit = 100): Promise<number> {
  let resumed = 0;
  for (const id of await deps.refunds.dueIds(limit)) {
    // Another instance may have taken it between the read and now.
    if (!(await deps.refunds.claim(id, deps.leaseMs))) continue;
    await runRefund(deps, id);
    resumed++;
  }
  return resumed;
}

export function startRefundSweeper(deps: RefundRunnerDeps, options: { intervalMs: number }): Stoppable {
  return startPeriodic(
    'refund sweep',
    options.intervalMs,
    deps.logger,
    async () => {
      const resumed = await resumeRefunds(deps);
      if (resumed > 0) deps.logger.info({ resumed }, 'refunds carried on');
    },
    { immediately: true },
  );
}
