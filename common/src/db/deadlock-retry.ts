const ER_LOCK_DEADLOCK = 1213;
const ER_LOCK_WAIT_TIMEOUT = 1205;

/**
 * Runs a whole transaction again when InnoDB picked it as a deadlock victim (or gave up waiting
 * for a lock): the transaction was rolled back entirely, so rerunning it is safe. A short random
 * pause first, so that the transactions that collided do not collide again in step.
 */
export async function withDeadlockRetry<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const errno = (error as { parent?: { errno?: number } }).parent?.errno;
      if ((errno !== ER_LOCK_DEADLOCK && errno !== ER_LOCK_WAIT_TIMEOUT) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
