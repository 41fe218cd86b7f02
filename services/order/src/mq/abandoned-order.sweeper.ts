/**
 * The fallback for placements no half message covers (the process died between inserting the
 * order and sending order.cancel, or the broker lost it): PENDING orders well past the placement
 * deadline are cancelled with an order.cancelled outbox event. The release ledgers make this and
 * a late check-back release at most once.
 */
import { enqueueEvent, type Logger, type SnowflakeGenerator, type Stoppable } from '@shop/common';
import { orderCancelled } from '../domain/order-events';
import type { OrderStore } from '../store/order-store';

const REASON = 'placement abandoned (found by the sweeper)';

export async function sweepAbandonedOrders(store: OrderStore, ids: SnowflakeGenerator, ageMs: number): Promise<number> {
  let cancelled = 0;
  for (const id of await store.abandonedIds(ageMs, 100)) {
    await store.transaction(async (tx) => {
      const row = await store.findOrder(id, tx);
      if (row && (await store.cancelAbandoned(tx, id, ageMs, REASON))) {
        await enqueueEvent(store.sequelize, tx, ids.next(), orderCancelled(row, REASON));
        cancelled++;
      }
    });
  }
  return cancelled;
}

export function startAbandonedOrderSweeper(store: OrderStore, ids: SnowflakeGenerator, options: { ageMs: number; intervalMs: number; logger: Logger }): Stoppable {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepAbandonedOrders(store, ids, options.ageMs).then(
      (cancelled) => cancelled > 0 && options.logger.warn({ cancelled }, 'sweeper cancelled abandoned placements'),
      (error: unknown) => options.logger.error({ err: error }, 'sweep failed; will retry'),
    );
  }, options.intervalMs);
  timer.unref();
  return {
    async shutdown() {
      clearInterval(timer);
      await running;
    },
  };
}
