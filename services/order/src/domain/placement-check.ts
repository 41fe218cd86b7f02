/**
 * The broker's check-back for an order.cancel half message nobody resolved (the placing process
 * died, or its commit/rollback was lost). It decides from the committed order row only:
 *
 *   CONFIRMED or later -> ROLLBACK (the order keeps what it took)
 *   CANCELLED          -> COMMIT   (release what it took)
 *   PENDING, older than the placement deadline -> cancel it (with order.cancelled), COMMIT
 *   PENDING, younger   -> UNKNOWN  (a live placement may still confirm it; ask again)
 *   no such order      -> ROLLBACK (the row is written before the half message: nothing was taken)
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { TransactionVerdict } from '@shop/common/mq';
import type { OrderRepository } from './ports';
import { cancelAbandonedWithin } from './order-moves';

export async function checkPlacement(
  store: OrderRepository,
  ids: SnowflakeGenerator,
  orderId: string,
  placementDeadlineMs: number,
): Promise<TransactionVerdict> {
  const row = await store.findOrder(orderId);
  if (!row) return 'ROLLBACK';
  if (row.status === 'CANCELLED') return 'COMMIT';
  if (row.status !== 'PENDING') return 'ROLLBACK';
  const reason = 'placement abandoned (no confirmation before the deadline)';
  if (await store.transaction((tx) => cancelAbandonedWithin(store, ids, tx, orderId, placementDeadlineMs, { actor: 'system:check-back', reason })))
    return 'COMMIT';
  // Still PENDING and young, or a concurrent confirm/cancel just moved it: read again next time.
  const now = await store.findOrder(orderId);
  return now?.status === 'CANCELLED' ? 'COMMIT' : now?.status === 'PENDING' ? 'UNKNOWN' : 'ROLLBACK';
}
