import assert from 'node:assert/strict';
import { recentCatalogue } from '../../src/clients/recent-goods';
import type { Catalogue, GoodsInfo } from '../../src/domain/ports';

const info = (goodsId: string, price = '1.00'): GoodsInfo => ({ goodsId, name: goodsId, price, onSale: true, stock: 5 });

function counting() {
  const prices = new Map<string, string>();
  const reads: string[][] = [];
  const catalogue: Catalogue = {
    goods: async (goodsIds) => (reads.push(goodsIds), goodsIds.map((id) => info(id, prices.get(id)))),
    coupon: async () => undefined,
    balance: async () => '0.00',
  };
  return { catalogue, reads, prices };
}

describe('recent goods reads (placement pricing, CATALOGUE_RECENT_MS)', () => {
  it('answers a recent read from what it kept, asks only for the goods it lacks, and forgets on request', async () => {
    const { catalogue, reads, prices } = counting();
    let now = 0;
    const recent = recentCatalogue(catalogue, 1_000, () => now);
    await recent.goods(['1', '2'], 'recent');
    prices.set('1', '9.00');
    assert.deepEqual(
      (await recent.goods(['1', '3'], 'recent')).map((g) => [g.goodsId, g.price]),
      [
        ['1', '1.00'],
        ['3', '1.00'],
      ],
    );
    assert.deepEqual(reads, [['1', '2'], ['3']]);
    recent.forgetGoods!(['1']);
    assert.equal((await recent.goods(['1'], 'recent'))[0]!.price, '9.00');
    now = 1_000;
    await recent.goods(['2'], 'recent');
    assert.deepEqual(reads.at(-1), ['2'], 'kept for keepMs, not longer');
  });

  it('reads now unless asked for a recent read, and keeps what it read', async () => {
    const { catalogue, reads } = counting();
    const recent = recentCatalogue(catalogue, 1_000, () => 0);
    await recent.goods(['1']);
    await recent.goods(['1']);
    await recent.goods(['1'], 'recent');
    assert.equal(reads.length, 2);
  });

  it('keeps nothing with 0 ms, and never more than 10,000 goods', async () => {
    const { catalogue, reads } = counting();
    assert.equal(recentCatalogue(catalogue, 0), catalogue);
    const recent = recentCatalogue(catalogue, 60_000, () => 0);
    await recent.goods(
      Array.from({ length: 10_001 }, (_, i) => String(i)),
      'recent',
    );
    await recent.goods(['0'], 'recent');
    assert.equal(reads.length, 2, 'over the bound, what was kept is dropped');
  });
});
