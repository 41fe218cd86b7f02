/**
 * The fallback for payments no check-back settled (a lost half message, a broker that gave up):
 * every UNPAID payment past its deadline, or replaced by another channel's, is settled with its
 * channel, the whole backlog each run; a closed one announces pay.closed through the outbox (not
 * a replaced one: the order goes on with its new payment), which the order service handles like a
 * committed pay.timeout. A payment a channel took is applied (and refunded if its order rejects it).
 */
import { startPeriodic, type Stoppable } from '@shop/common/service';
import { payClosed } from '../domain/pay-events';
import { settleUnpaid, type SettleDeps } from '../domain/payments';

const BATCH = 500;

export async function sweepOverduePayments(deps: SettleDeps, graceMs: number): Promise<{ paid: number; closed: number; open: number }> {
  const counts = { paid: 0, closed: 0, open: 0 };
  const seen = new Set<string>();
  for (;;) {
    const ids = (await deps.store.overdueIds(graceMs, BATCH + seen.size)).filter((id) => !seen.has(id));
    if (ids.length === 0) return counts;
    for (const id of ids) {
      seen.add(id);
      const settled = await settleUnpaid(deps, id, {
        onClosed: (tx, payment) => deps.store.enqueue(tx, deps.ids.next(), payClosed(payment)),
      });
      counts[settled === 'PAID' ? 'paid' : settled === 'CLOSED' ? 'closed' : 'open']++;
    }
  }
}

export function startOverduePaymentSweeper(deps: SettleDeps, options: { graceMs: number; intervalMs: number }): Stoppable {
  return startPeriodic('payment sweep', options.intervalMs, deps.logger, async () => {
    const counts = await sweepOverduePayments(deps, options.graceMs);
    if (counts.paid + counts.closed > 0) deps.logger.info(counts, 'overdue payments settled');
  });
}
