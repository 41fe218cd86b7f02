/**
 * A bounded queue of CPU work: at most `concurrency` jobs run at once and at most `maxWaiting`
 * wait; beyond that a job is refused at once (WorkQueueFull) instead of waiting past its caller's
 * deadline. Password hashing is the one user: scrypt is slow by design, and a burst of sign-ins
 * would otherwise pile up on the thread pool until every one of them timed out.
 */
export class WorkQueueFull extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} jobs are waiting already`);
    this.name = 'WorkQueueFull';
  }
}

export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {
    if (!(concurrency >= 1 && maxWaiting >= 0)) throw new Error('a work queue runs at least one job and waits for none or more');
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new WorkQueueFull(this.waiting.length);
      await new Promise<void>((start) => this.waiting.push(start));
    }
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      // The next waiting job takes the freed place (it counts itself in when it resumes).
      this.waiting.shift()?.();
    }
  }
}
