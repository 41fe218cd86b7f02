/**
 * Stock reservations of orders: taken all or nothing, given back once, from the record; and
 * units of a paid order given back by its refunds before shipment.
 */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import { isPlanted, normaliseLines, PlantedDefects, type OrderLineInput } from '@shop/contracts';
import type { GoodsRepository, Tx } from './ports';

export type StockLine = OrderLineInput & {
  /**
   * The unit price the order was priced at: the units are taken only while the goods sell at it,
   * so an order priced from a catalogue read a moment earlier never keeps units at an old price.
   * Absent or '': taken at any price.
   */
  price?: string;
};

/** A line merged by goods, with the one price the request gave it (if any). */
type AskedLine = OrderLineInput & { price?: string };

/**
 * Takes the stock of every line for the order, in one transaction, recording each take in
 * goods_number_log (goods_id, order_id). Invariants: stock never goes negative (conditional
 * UPDATE and a CHECK); a repeat for the same order takes nothing more; an order already
 * released (tombstone) takes nothing at all; a line with a price is taken only at that price
 * (PRICE_CHANGED otherwise, nothing kept). The order's ledger row is written first, so a
 * concurrent release of the same order waits for this transaction, whatever the isolation.
 *
 * @returns `{ applied: true }` when this call took the stock, `{ applied: false }` for a repeat.
 */
export async function reduceStock(store: GoodsRepository, orderId: string, lines: StockLine[]): Promise<{ applied: boolean } | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  const normalised = askedLines(lines);
  if (normalised instanceof DomainError) return normalised;
  // Sold out a moment ago (sold-out.ts): refused without the goods row's lock, unless the order
  // has its ledger row already (a repeat, or a tombstone), which answers as it always does.
  const short = store.soldOut.shortLine(normalised);
  if (short && (await store.releases.statusOf(orderId)) === undefined) return notEnough(short.goodsId);
  // A new order, the common case: two round trips. One seen before (a repeat, a tombstone) goes
  // the whole way below, which answers it from the ledger.
  const quick = await store.takeStockAtOnce(orderId, normalised);
  if (quick !== 'opened before') {
    if (quick.taken) return { applied: true };
    return refusalOf(
      store,
      normalised.find((line) => line.goodsId === quick.short)!,
    );
  }
  return store.releases.reserveOnce<{ applied: boolean }>(orderId, {
    released: () => new DomainError(ErrorCode.RELEASED, `order ${orderId} was released; nothing is taken`),
    repeat: async () => ({ applied: false }),
    async take(tx, refuse) {
      for (const line of normalised) {
        if (!(await store.takeStock(tx, line.goodsId, line.quantity, line.price))) refuse(await refusalOf(store, line));
        await store.recordTaken(tx, line.goodsId, orderId, line.quantity);
      }
      return { applied: true };
    },
  });
}

const notEnough = (goodsId: string) => new DomainError(ErrorCode.INSUFFICIENT_STOCK, `not enough stock for goods ${goodsId}`, { goodsId });

/** The lines merged by goods (normaliseLines), each with its price in cents form; two prices for one goods are refused. */
function askedLines(lines: StockLine[]): AskedLine[] | DomainError {
  const normalised = normaliseLines(lines);
  if (normalised instanceof DomainError) return normalised;
  const prices = new Map<string, string>();
  for (const { goodsId, price } of lines) {
    if (!price) continue;
    const cents = parseCents(price);
    if (cents === undefined) return new DomainError(ErrorCode.INVALID_ARGUMENT, `invalid price ${JSON.stringify(price)}`);
    if (prices.has(goodsId) && prices.get(goodsId) !== formatCents(cents))
      return new DomainError(ErrorCode.INVALID_ARGUMENT, `two prices for goods ${goodsId}`);
    prices.set(goodsId, formatCents(cents));
  }
  return normalised.map((line) => (prices.has(line.goodsId) ? { ...line, price: prices.get(line.goodsId) } : line));
}

/**
 * Why the conditional UPDATE left a line's units alone, read after the fact (a refusal only):
 * a new price, the goods off sale, or too few units. Only the last is a sold-out hint.
 */
async function refusalOf(store: GoodsRepository, line: AskedLine): Promise<DomainError> {
  const goods = await store.findGoods(line.goodsId);
  if (goods && goods.on_sale && line.price && goods.price !== line.price)
    return new DomainError(ErrorCode.PRICE_CHANGED, `the price of goods ${line.goodsId} is now ${goods.price}`, { goodsId: line.goodsId, price: goods.price });
  if (goods && !goods.on_sale) return new DomainError(ErrorCode.INVALID_ARGUMENT, `goods ${line.goodsId} is not on sale`, { goodsId: line.goodsId });
  store.soldOut.noteShort(line.goodsId, line.quantity);
  return notEnough(line.goodsId);
}

/**
 * Gives back what goods_number_log says the order took, once, less what its refunds gave back
 * already. For an order that took nothing the ledger row stays as a tombstone, so a reservation
 * arriving later is refused.
 *
 * @returns the units given back by this call (0 for a repeat or a tombstone).
 */
export async function releaseStock(store: GoodsRepository, orderId: string): Promise<{ releasedUnits: number } | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  return withDeadlockRetry(() => store.transaction((tx) => releaseStockWithin(store, tx, orderId)));
}

/** The release inside a caller's transaction (the release consumer's, with its consume log). */
export async function releaseStockWithin(store: GoodsRepository, tx: Tx, orderId: string): Promise<{ releasedUnits: number }> {
  if (isPlanted(PlantedDefects.RELEASE_SKIPS_LOG)) return releaseWithoutLog(store, tx, orderId);
  return store.releases.releaseOnce(
    tx,
    orderId,
    async () => {
      const returned = await store.returnedUnits(tx, orderId);
      let units = 0;
      for (const line of await store.takenLines(tx, orderId)) {
        const back = line.quantity - (returned.get(line.goods_id) ?? 0);
        if (back > 0) await store.giveBackStock(tx, line.goods_id, back);
        units += Math.max(back, 0);
      }
      await store.markReleased(tx, orderId);
      await store.setReleasedUnits(tx, orderId, units);
      return { releasedUnits: units };
    },
    { releasedUnits: 0 },
  );
}

/** The planted defect (chaos harness only): gives back what the order ordered, every time, recording nothing. */
async function releaseWithoutLog(store: GoodsRepository, tx: Tx, orderId: string): Promise<{ releasedUnits: number }> {
  const lines = await store.orderedLines(tx, orderId);
  for (const line of lines) await store.giveBackStock(tx, line.goods_id, line.quantity);
  return { releasedUnits: lines.reduce((sum, line) => sum + line.quantity, 0) };
}

/**
 * A refund before shipment gives units back: once per (refund, goods), and never more of a
 * goods than the order took (goods_number_log) less what other refunds gave back. A line the
 * order never took, or too many units, is refused whole; a repeat gives nothing more.
 *
 * @returns the units given back by this call.
 */
export async function returnStock(
  store: GoodsRepository,
  input: { refundId: string; orderId: string; lines: StockLine[] },
): Promise<{ returnedUnits: number } | DomainError> {
  const { refundId, orderId } = input;
  if (!isSnowflakeId(orderId) || !/^[\x21-\x7e]{1,64}$/.test(refundId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid refund or order id');
  const normalised = normaliseLines(input.lines);
  if (normalised instanceof DomainError) return normalised;
  return withDeadlockRetry(() =>
    store
      .transaction(async (tx) => {
        const taken = new Map((await store.takenLines(tx, orderId)).map((line) => [line.goods_id, line.quantity]));
        let units = 0;
        for (const line of normalised) {
          if (!(await store.recordReturn(tx, { refundId, orderId, goodsId: line.goodsId, quantity: line.quantity }))) continue;
          const returned = (await store.returnedUnits(tx, orderId)).get(line.goodsId) ?? 0;
          if (returned > (taken.get(line.goodsId) ?? 0)) throw new TooManyReturned(line.goodsId);
          await store.giveBackStock(tx, line.goodsId, line.quantity);
          units += line.quantity;
        }
        return { returnedUnits: units };
      })
      .catch((error: unknown) => {
        if (error instanceof TooManyReturned)
          return new DomainError(ErrorCode.INVALID_ARGUMENT, `order ${orderId} did not take that many of goods ${error.goodsId}`);
        throw error;
      }),
  );
}

/** Thrown inside the transaction to roll back a return beyond what the order took. */
class TooManyReturned extends Error {
  constructor(readonly goodsId: string) {
    super(`too many units of ${goodsId} returned`);
  }
}
