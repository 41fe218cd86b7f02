/**
 * A catalogue that keeps its goods reads for a moment (CATALOGUE_RECENT_MS), so that a placement
 * prices its lines without a call to the goods service when the same goods were read a moment
 * ago: at a shop's pace the same few goods sell again and again.
 *
 * Safe because placement never relies on a recent read alone: the stock reservation takes the
 * units only at the price the order was priced at (PRICE_CHANGED otherwise, nothing kept), and a
 * line a recent read says cannot be sold is read again before it is refused. Only placement
 * asks for 'recent'; the quote, the cart and the storefront's pages read the goods now.
 */
import type { Catalogue, GoodsInfo } from '../domain/ports';

/** Reads kept at most; beyond, the expired ones go, and if that is not enough, all of them. */
const MOST_KEPT = 10_000;

export function recentCatalogue(catalogue: Catalogue, keepMs: number, now: () => number = Date.now): Catalogue {
  if (keepMs <= 0) return catalogue;
  const kept = new Map<string, { info: GoodsInfo; until: number }>();
  const keep = (goods: GoodsInfo[]) => {
    const until = now() + keepMs;
    for (const info of goods) kept.set(info.goodsId, { info, until });
    if (kept.size > MOST_KEPT) {
      for (const [goodsId, entry] of kept) if (entry.until <= until - keepMs) kept.delete(goodsId);
      if (kept.size > MOST_KEPT) kept.clear();
    }
    return goods;
  };
  return {
    ...catalogue,
    async goods(goodsIds, freshness = 'now') {
      if (freshness === 'now') return keep(await catalogue.goods(goodsIds));
      const at = now();
      const hits: GoodsInfo[] = [];
      const misses: string[] = [];
      for (const goodsId of goodsIds) {
        const entry = kept.get(goodsId);
        if (entry && entry.until > at) hits.push(entry.info);
        else {
          kept.delete(goodsId);
          misses.push(goodsId);
        }
      }
      return misses.length === 0 ? hits : [...hits, ...keep(await catalogue.goods(misses))];
    },
    forgetGoods(goodsIds) {
      for (const goodsId of goodsIds) kept.delete(goodsId);
    },
  };
}
