/**
 * Stock reservations of orders: taken all or nothing, given back once, from the record.
 */
import { DomainError, ErrorCode, isSnowflakeId, normaliseLines, withDeadlockRetry, type OrderLineInput } from '@shop/common';
import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { GoodsStore } from '../store/goods-store';

export type StockLine = OrderLineInput;

/**
 * Takes the stock of every line for the order, in one transaction, recording each take in
 * goods_number_log (goods_id, order_id). Invariants: stock never goes negative (conditional
 * UPDATE and a CHECK); a repeat for the same order takes nothing more; an order already
 * released (tombstone) takes nothing at all.
 *
 * @returns `{ applied: true }` when this call took the stock, `{ applied: false }` for a repeat.
 */
export async function reduceStock(store: GoodsStore, orderId: string, lines: StockLine[]): Promise<{ applied: boolean } | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  const normalised = normaliseLines(lines);
  if (normalised instanceof DomainError) return normalised;
  return withDeadlockRetry(() =>
    store
      .transaction(async (tx) => {
        if (await store.releases.isReleased(tx, orderId)) return new DomainError(ErrorCode.RELEASED, `order ${orderId} was released; nothing is taken`);
        if (await store.hasAnyLog(tx, orderId)) return { applied: false };
        for (const line of normalised) {
          if (!(await store.takeStock(tx, line.goodsId, line.quantity))) throw new StockShortage(line.goodsId);
          await store.recordTaken(tx, line.goodsId, orderId, line.quantity);
        }
        return { applied: true };
      })
      .catch((error: unknown) => {
        if (error instanceof StockShortage) {
          return new DomainError(ErrorCode.INSUFFICIENT_STOCK, `not enough stock for goods ${error.goodsId}`, { goodsId: error.goodsId });
        }
        // A concurrent repeat for the same order committed first: this one is the repeat.
        if (error instanceof UniqueConstraintError) return { applied: false };
        throw error;
      }),
  );
}

/**
 * Gives back what goods_number_log says the order took, once. For an order that took nothing
 * the release row stays as a tombstone, so a reservation arriving later is refused.
 *
 * @returns the units given back by this call (0 for a repeat or a tombstone).
 */
export async function releaseStock(store: GoodsStore, orderId: string): Promise<{ releasedUnits: number } | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  return withDeadlockRetry(() => store.transaction((tx) => releaseStockWithin(store, tx, orderId)));
}

/** The release inside a caller's transaction (the release consumer's, with its consume log). */
export async function releaseStockWithin(store: GoodsStore, tx: Transaction, orderId: string): Promise<{ releasedUnits: number }> {
  if (!(await store.releases.recordRelease(tx, orderId))) return { releasedUnits: 0 };
  const taken = await store.takenLines(tx, orderId);
  for (const line of taken) await store.giveBackStock(tx, line.goods_id, line.quantity);
  await store.markReleased(tx, orderId);
  const units = taken.reduce((sum, line) => sum + line.quantity, 0);
  await store.setReleasedUnits(tx, orderId, units);
  return { releasedUnits: units };
}

/** Thrown inside the transaction to roll back the lines already taken. */
class StockShortage extends Error {
  constructor(readonly goodsId: string) {
    super(`not enough stock for ${goodsId}`);
  }
}
