/**
 * The fallback for what no message covered:
 * - placements (the process died between inserting the order and sending order.cancel, or the
 *   broker lost it): PENDING orders well past the placement deadline are cancelled with an
 *   order.cancelled outbox event. The release ledgers make this and a late check-back release
 *   at most once.
 * - unpaid orders: CONFIRMED orders well past their pay deadline (never given a payment, or
 *   whose payment's timeout was lost) are cancelled the same way; if a payment did land, the pay
 *   service refunds it when it sees order.cancelled.
 */
import { enqueueEvent, startPeriodic, type Logger, type SnowflakeGenerator, type Stoppable } from '@shop/common';
import { orderCancelled } from '../domain/order-events';
import { cancelUnpaidWithin } from '../domain/orders';
import type { OrderStore } from '../store/order-store';

const REASON = 'placement abandoned (found by the sweeper)';
const SWEEPER = 'system:sweeper';

export async function sweepAbandonedOrders(store: OrderStore, ids: SnowflakeGenerator, ageMs: number): Promise<number> {
  let cancelled = 0;
  for (const id of await store.abandonedIds(ageMs, 100)) {
    await store.transaction(async (tx) => {
      const row = await store.findOrder(id, tx);
      if (row && (await store.cancelAbandoned(tx, id, ageMs, { actor: SWEEPER, reason: REASON }))) {
        await enqueueEvent(store.sequelize, tx, ids.next(), orderCancelled(row, REASON));
        cancelled++;
      }
    });
  }
  for (const id of await store.overdueConfirmedIds(PAY_GRACE_MS, 100)) {
    await store.transaction(async (tx) => {
      if ((await cancelUnpaidWithin(store, ids, tx, id, { actor: SWEEPER, reason: 'not paid before the pay deadline (found by the sweeper)' })) === 'CANCELLED') cancelled++;
    });
  }
  return cancelled;
}

/** Leaves the pay service's own timeout (check-back, sweeper) a minute to act first. */
const PAY_GRACE_MS = 120_000;

export function startAbandonedOrderSweeper(store: OrderStore, ids: SnowflakeGenerator, options: { ageMs: number; intervalMs: number; logger: Logger }): Stoppable {
  return startPeriodic('order sweep', options.intervalMs, options.logger, async () => {
    const cancelled = await sweepAbandonedOrders(store, ids, options.ageMs);
    if (cancelled > 0) options.logger.warn({ cancelled }, 'sweeper cancelled abandoned or unpaid orders');
  });
}
