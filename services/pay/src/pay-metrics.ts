/**
 * The pay service's business metrics (served with every other metric on its admin port):
 *
 *   shop_payment_transitions_total{move, to}      payments created (move="create", to="UNPAID") and their
 *                                                  status changes committed (pay, close, refundInFull: pay-status.ts)
 *   shop_refund_transitions_total{move, to}       refunds created (move="create", to="PENDING") and ended
 *                                                  (succeed -> SUCCEEDED, fail -> FAILED)
 *   shop_refunds_unfinished                        refunds PENDING now, and
 *   shop_refund_oldest_unfinished_age_seconds      the age of the oldest: read at scrape time, one query for both
 *
 * Label values are the machines' moves and statuses: bounded.
 */
import { hotCounter, incAfterCommit, scrapeGauge, type CommitHooks } from '@shop/common/metrics';
import { paymentMachine, refundMachine, type PaymentMove, type RefundMove } from './domain/pay-status';

const payments = hotCounter('shop_payment_transitions_total', 'Payments created and their status changes committed, by move and status reached', [
  'move',
  'to',
]);
const refunds = hotCounter('shop_refund_transitions_total', 'Refunds created and ended, by move and status reached', ['move', 'to']);

/** A payment was inserted (UNPAID) in `transaction`: counted once it commits. */
export function countPaymentCreated(transaction: CommitHooks): void {
  incAfterCommit(transaction, payments.slot('create', 'UNPAID'));
}

export function countPaymentMove(transaction: CommitHooks, move: PaymentMove): void {
  incAfterCommit(transaction, payments.slot(move, paymentMachine.moves[move].to));
}

/** A refund was inserted PENDING (autocommit). */
export function countRefundCreated(): void {
  refunds.slot('create', 'PENDING').inc();
}

export function countRefundMove(transaction: CommitHooks, move: RefundMove): void {
  incAfterCommit(transaction, refunds.slot(move, refundMachine.moves[move].to));
}

export interface UnfinishedRefunds {
  count: number;
  /** When the oldest PENDING refund was created; null when there is none. */
  oldestCreatedAt: Date | null;
}

/**
 * Registers the unfinished-refund gauges, read from `read` at scrape time. The two gauges of one
 * scrape share one read (a second asked within a second gets the same answer).
 */
export function watchUnfinishedRefunds(read: () => Promise<UnfinishedRefunds>): void {
  let last: { at: number; answer: Promise<UnfinishedRefunds> } | undefined;
  const current = () => {
    if (!last || Date.now() - last.at > 1_000) last = { at: Date.now(), answer: read() };
    return last.answer;
  };
  scrapeGauge('shop_refunds_unfinished', 'Refunds PENDING (not yet succeeded or failed)', async () => (await current()).count);
  scrapeGauge('shop_refund_oldest_unfinished_age_seconds', 'Age of the oldest PENDING refund (0: none)', async () => {
    const { oldestCreatedAt } = await current();
    return oldestCreatedAt ? Math.max(0, Date.now() - oldestCreatedAt.getTime()) / 1000 : 0;
  });
}
