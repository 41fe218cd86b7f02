/**
 * Completes SHIPPED orders whose buyer never confirmed receipt within the configured days. Each
 * completion is one conditional UPDATE (SHIPPED -> COMPLETED) with its history row, so several
 * instances sweeping at once complete an order once.
 */
import type { Logger } from '@shop/common/log';
import { startPeriodic, type Stoppable } from '@shop/common/service';
import { completeUnconfirmed } from '../domain/orders';
import type { OrderStore } from '../store/order-store';

const DAY_MS = 86_400_000;

export async function completeUnconfirmedOrders(store: OrderStore, days: number): Promise<number> {
  let completed = 0;
  for (const id of await store.shippedBeforeIds(days * DAY_MS, 100)) {
    if (await completeUnconfirmed(store, id, days)) completed++;
  }
  return completed;
}

export function startAutoCompleteSweeper(store: OrderStore, options: { days: number; intervalMs: number; logger: Logger }): Stoppable {
  return startPeriodic('order auto-complete', options.intervalMs, options.logger, async () => {
    const completed = await completeUnconfirmedOrders(store, options.days);
    if (completed > 0) options.logger.info({ completed, days: options.days }, 'completed shipped orders whose receipt was not confirmed');
  });
}
