/**
 * The periodic tasks' runs (sweepers, auto-complete), by task and outcome:
 *
 *   sweeper_runs_total{task, outcome="ok|error"}       runs finished
 *   sweeper_run_duration_seconds{task}                 histogram of their durations
 *   sweeper_last_success_timestamp_seconds{task}       when a run last succeeded (unix time): a sweeper
 *                                                      that stopped succeeding shows as this going stale
 *
 * The task is the name given to startPeriodic: a handful per service.
 */
import { Gauge, Histogram, register } from 'prom-client';
import { hotCounter } from '../metrics/hot-counter';

const runs = hotCounter('sweeper_runs_total', 'Runs of the periodic tasks (sweepers), by outcome', ['task', 'outcome']);

const durations =
  (register.getSingleMetric('sweeper_run_duration_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'sweeper_run_duration_seconds',
    help: 'Duration of the periodic tasks (sweepers) runs',
    labelNames: ['task'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });

const lastSuccess =
  (register.getSingleMetric('sweeper_last_success_timestamp_seconds') as Gauge | undefined) ??
  new Gauge({ name: 'sweeper_last_success_timestamp_seconds', help: 'Unix time of the last successful run of each periodic task', labelNames: ['task'] });

/** Runs `work` once as a run of `task`, counted by outcome and timed; its error is passed on. */
export function measuredRun(task: string): (work: () => Promise<void>) => Promise<void> {
  const ok = runs.slot(task, 'ok');
  const failed = runs.slot(task, 'error');
  const duration = durations.labels(task);
  const succeeded = lastSuccess.labels(task);
  return async (work) => {
    const stop = duration.startTimer();
    try {
      await work();
    } catch (error) {
      failed.inc();
      throw error;
    } finally {
      stop();
    }
    ok.inc();
    succeeded.setToCurrentTime();
  };
}
