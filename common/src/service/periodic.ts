import type { Logger } from '../log';
import type { Stoppable } from './run-service';

/**
 * Runs `work` every `intervalMs` (the next run is scheduled when the previous one ends, so runs
 * never overlap); a failure is logged and the next run tries again. Shutdown waits for a run in
 * progress. The sweepers of the services use it.
 */
export function startPeriodic(name: string, intervalMs: number, logger: Logger, work: () => Promise<void>): Stoppable {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const schedule = () => {
    timer = setTimeout(() => {
      running = work()
        .catch((error: unknown) => logger.error({ err: error, task: name }, 'periodic task failed; will retry'))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async shutdown() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
