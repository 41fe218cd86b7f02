/**
 * The safety net for what no message covered, draining its whole backlog on every run:
 * - placements (the process died between inserting the order and sending order.cancel, or the
 *   broker lost it): PENDING orders well past the placement deadline are cancelled with an
 *   order.cancelled outbox event. The release ledgers make this and a late check-back release
 *   at most once.
 * - unpaid orders whose deadline timer was missed (a broker outage, a timer lost): CONFIRMED
 *   orders well past their pay deadline are settled like the timer settles them, asking the pay
 *   service (and so Alipay) first: an order paid on time whose pay.succeeded is late is marked
 *   PAID, never cancelled.
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import { startPeriodic, type Stoppable } from '@shop/common/service';
import { cancelAbandonedWithin } from '../domain/order-moves';
import { settleOverdueOrder, type PaySettlement } from '../domain/pay-deadline';
import type { OrderStore } from '../store/order-store';

const REASON = 'placement abandoned (found by the sweeper)';
const SWEEPER = 'system:sweeper';
/** The timers fire at the deadline; the sweeper leaves them this long before it steps in. */
const PAY_GRACE_MS = 60_000;
/** Orders settled at once: each asks the pay service, which may ask Alipay. */
const CONCURRENCY = 8;
/** One run looks at this many orders at most: a larger backlog goes on in the next run at once. */
const MAX_PER_RUN = 50_000;

export interface SweepDeps {
  store: OrderStore;
  ids: SnowflakeGenerator;
  pay: PaySettlement;
  logger: Logger;
}

export interface SweepResult {
  abandoned: number;
  overdue: { paid: number; cancelled: number; open: number; failed: number };
}

/** Runs `work` over `items`, `concurrency` at a time, until `work` answers 'stop'. */
async function eachConcurrently<T>(items: T[], concurrency: number, work: (item: T) => Promise<void | 'stop'>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) if ((await work(items[next++]!)) === 'stop') next = items.length;
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function sweepAbandonedOrders(deps: SweepDeps, ageMs: number): Promise<SweepResult> {
  const { store, ids, logger } = deps;
  const result: SweepResult = { abandoned: 0, overdue: { paid: 0, cancelled: 0, open: 0, failed: 0 } };
  await eachConcurrently(await store.abandonedIds(ageMs, MAX_PER_RUN), CONCURRENCY, async (id) => {
    if (await store.transaction((tx) => cancelAbandonedWithin(store, ids, tx, id, ageMs, { actor: SWEEPER, reason: REASON }))) result.abandoned++;
  });
  await eachConcurrently(await store.overdueConfirmedIds(PAY_GRACE_MS, MAX_PER_RUN), CONCURRENCY, async (id) => {
    try {
      const status = await settleOverdueOrder(deps, id, SWEEPER);
      if (status === 'PAID') result.overdue.paid++;
      else if (status === 'CANCELLED') result.overdue.cancelled++;
      else if (status === 'OPEN') result.overdue.open++;
    } catch (error) {
      // The pay service unreachable: asking about the others now is no use; the next run goes on.
      result.overdue.failed++;
      logger.warn({ err: error, orderId: id }, 'overdue order not settled; the next sweep tries again');
      return 'stop';
    }
  });
  return result;
}

export function startAbandonedOrderSweeper(deps: SweepDeps, options: { ageMs: number; intervalMs: number }): Stoppable {
  return startPeriodic('order sweep', options.intervalMs, deps.logger, async () => {
    const result = await sweepAbandonedOrders(deps, options.ageMs);
    if (result.abandoned + result.overdue.paid + result.overdue.cancelled + result.overdue.failed > 0)
      deps.logger.warn(result, 'sweeper settled abandoned or overdue orders');
  });
}
