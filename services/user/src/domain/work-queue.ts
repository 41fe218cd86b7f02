/**
 * A bounded queue of CPU work: at most `concurrency` jobs run at once and at most `maxWaiting`
 * wait; beyond that a job is refused at once (WorkQueueFull) instead of waiting past its caller's
 * deadline. Password hashing is the one user: scrypt is slow by design, and a burst of sign-ins
 * would otherwise pile up on the thread pool until every one of them timed out.
 *
 * The bound is in time as well as in jobs: a job is refused when the ones ahead of it would take
 * longer than `maxWaitMs` at the pace jobs have been going (a moving average of their durations).
 * A count alone assumes the machine: two instances of the user service sharing two cores each
 * hash at half the pace, and 32 waiting jobs then outlast the caller's deadline, to be hashed
 * for nobody while the next sign-in times out behind them.
 */
export class WorkQueueFull extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} jobs are waiting already`);
    this.name = 'WorkQueueFull';
  }
}

/** The weight of the latest job in the moving average of durations. */
const PACE_WEIGHT = 0.2;

export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Moving average of the jobs' durations, ms; 0 until a job has finished. */
  private averageMs = 0;

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs = Infinity,
  ) {
    if (!(concurrency >= 1 && maxWaiting >= 0 && maxWaitMs > 0)) throw new Error('a work queue runs at least one job and waits for none or more');
  }

  /** How long a job queued now would wait, at the recent pace. */
  get expectedWaitMs(): number {
    return ((this.waiting.length + 1) * this.averageMs) / this.concurrency;
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting || this.expectedWaitMs > this.maxWaitMs) throw new WorkQueueFull(this.waiting.length);
      await new Promise<void>((start) => this.waiting.push(start));
    }
    this.running++;
    const started = performance.now();
    try {
      return await job();
    } finally {
      const tookMs = performance.now() - started;
      this.averageMs = this.averageMs === 0 ? tookMs : this.averageMs + PACE_WEIGHT * (tookMs - this.averageMs);
      this.running--;
      // The next waiting job takes the freed place (it counts itself in when it resumes).
      this.waiting.shift()?.();
    }
  }
}
