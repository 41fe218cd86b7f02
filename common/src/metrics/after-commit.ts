import type { CounterSlot } from './hot-counter';

/** What incAfterCommit needs of a Sequelize transaction. */
export interface CommitHooks {
  afterCommit(hook: () => void): void;
}

/**
 * Counts a change made inside `transaction` once it commits: a change rolled back (a deadlock
 * retried, a later step that failed) was never made, and a business counter must not say it
 * was. Without a transaction (autocommit) the change is made already: counted at once.
 */
export function incAfterCommit(transaction: CommitHooks | null | undefined, slot: CounterSlot): void {
  if (transaction) transaction.afterCommit(() => slot.inc());
  else slot.inc();
}
