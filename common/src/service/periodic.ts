import type { Logger } from '../log';
import { inRootSpan } from '../trace/trace-context';
import type { Stoppable } from './run-service';
import { measuredRun } from './sweeper-metrics';

/**
 * Runs `work` every `intervalMs` (the next run is scheduled when the previous one ends, so runs
 * never overlap); a failure is logged and the next run tries again. Shutdown waits for a run in
 * progress. The sweepers of the services use it; every run is counted (sweeper-metrics.ts).
 */
export function startPeriodic(name: string, intervalMs: number, logger: Logger, work: () => Promise<void>, options: { immediately?: boolean } = {}): Stoppable {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const measured = measuredRun(name);
  const schedule = (delayMs = intervalMs) => {
    timer = setTimeout(() => {
      // Each run is a trace of its own: what it finds and does (statements, calls, messages) is under it.
      running = inRootSpan(`periodic ${name}`, { attributes: { 'shop.task': name } }, () => measured(work))
        .catch((error: unknown) => logger.error({ err: error, task: name }, 'periodic task failed; will retry'))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, delayMs);
    timer.unref();
  };
  // `immediately`: the first run at start-up (work left behind by a previous process).
  schedule(options.immediately ? 0 : intervalMs);
  return {
    async shutdown() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
