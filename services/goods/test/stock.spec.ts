import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createGoods, updateGoods } from '../src/domain/catalog';
import { reduceStock, releaseStock, returnStock } from '../src/domain/stock';
import { GoodsStore } from '../src/store/goods-store';
import { goodsMigrations } from '../src/store/migrations';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_goods';

describe('goods: stock reservations against the real MySQL', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(902);
  let db: Sequelize;
  let store: GoodsStore;

  const stockOf = async (goodsId: string) =>
    (await db.query<{ stock: number }>('SELECT stock FROM goods WHERE id = ?', { replacements: [goodsId], type: QueryTypes.SELECT }))[0]!.stock;
  const logOf = (orderId: string) =>
    db.query<{ goods_id: string; quantity: number; status: string }>(
      'SELECT goods_id, quantity, status FROM goods_number_log WHERE order_id = ? ORDER BY goods_id',
      {
        replacements: [orderId],
        type: QueryTypes.SELECT,
      },
    );
  const newGoods = async (stock: number) => {
    const goods = await createGoods(store, ids, { requestId: '', name: 'pen', price: '1.50', stock });
    assert.ok(!(goods instanceof DomainError));
    return goods.goodsId;
  };

  before(async () => {
    db = await freshDatabase(SCHEMA, goodsMigrations);
    store = new GoodsStore(db);
  });

  after(async () => {
    await db?.close();
  });

  it('takes the stock of every line once, and a repeat takes nothing more', async () => {
    const [a, b] = [await newGoods(10), await newGoods(5)];
    const orderId = ids.next();
    assert.deepEqual(
      await reduceStock(store, orderId, [
        { goodsId: a, quantity: 2 },
        { goodsId: b, quantity: 1 },
        { goodsId: a, quantity: 1 },
      ]),
      { applied: true },
    );
    assert.deepEqual(
      await reduceStock(store, orderId, [
        { goodsId: a, quantity: 3 },
        { goodsId: b, quantity: 1 },
      ]),
      { applied: false },
    );
    assert.deepEqual([await stockOf(a), await stockOf(b)], [7, 4]);
    assert.deepEqual(
      (await logOf(orderId)).map((r) => [r.quantity, r.status]),
      [
        [3, 'TAKEN'],
        [1, 'TAKEN'],
      ],
    );
  });

  it('takes nothing when one line is short (all or nothing)', async () => {
    const [a, b] = [await newGoods(10), await newGoods(1)];
    const orderId = ids.next();
    const result = await reduceStock(store, orderId, [
      { goodsId: a, quantity: 2 },
      { goodsId: b, quantity: 2 },
    ]);
    assert.ok(result instanceof DomainError);
    assert.equal(result.code, ErrorCode.INSUFFICIENT_STOCK);
    assert.deepEqual([await stockOf(a), await stockOf(b)], [10, 1]);
    assert.deepEqual(await logOf(orderId), []);
  });

  it('takes a priced line only at its price: a moved price or goods taken off sale keep nothing and say which', async () => {
    const [a, b] = [await newGoods(10), await newGoods(10)];
    const moved = ids.next();
    const result = await reduceStock(store, moved, [
      { goodsId: a, quantity: 1, price: '1.50' },
      { goodsId: b, quantity: 2, price: '1.40' },
    ]);
    assert.ok(result instanceof DomainError);
    assert.equal(result.code, ErrorCode.PRICE_CHANGED);
    assert.deepEqual(result.detail, { goodsId: b, price: '1.50' });
    assert.deepEqual([await stockOf(a), await stockOf(b)], [10, 10], 'the line at the right price is not kept either');
    assert.deepEqual(await logOf(moved), []);
    assert.equal(store.soldOut.shortLine([{ goodsId: b, quantity: 2 }]), undefined, 'a moved price is no sold-out hint');
    assert.deepEqual(await reduceStock(store, moved, [{ goodsId: b, quantity: 2, price: '1.5' }]), { applied: true }, 'the same order at the price');
    assert.equal(await stockOf(b), 8);

    const twoPrices = await reduceStock(store, ids.next(), [
      { goodsId: a, quantity: 1, price: '1.50' },
      { goodsId: a, quantity: 1, price: '1.40' },
    ]);
    assert.ok(twoPrices instanceof DomainError && twoPrices.code === ErrorCode.INVALID_ARGUMENT);
    const badPrice = await reduceStock(store, ids.next(), [{ goodsId: a, quantity: 1, price: '-1.50' }]);
    assert.ok(badPrice instanceof DomainError && badPrice.code === ErrorCode.INVALID_ARGUMENT);

    const offSale = await updateGoods(store, { goodsId: a, requestId: 'off-sale', operatorId: '1', reason: 'discontinued', onSale: false, stockDelta: 0 });
    assert.ok(!(offSale instanceof DomainError));
    const refused = await reduceStock(store, ids.next(), [{ goodsId: a, quantity: 1, price: '1.50' }]);
    assert.ok(refused instanceof DomainError);
    assert.equal(refused.code, ErrorCode.INVALID_ARGUMENT);
    assert.match(refused.message, /not on sale/);
    assert.equal(await stockOf(a), 10);
    assert.equal(store.soldOut.shortLine([{ goodsId: a, quantity: 1 }]), undefined, 'goods off sale are no sold-out hint');
  });

  it('gives back exactly what the order took, once', async () => {
    const a = await newGoods(10);
    const orderId = ids.next();
    await reduceStock(store, orderId, [{ goodsId: a, quantity: 4 }]);
    assert.deepEqual(await releaseStock(store, orderId), { releasedUnits: 4 });
    assert.deepEqual(await releaseStock(store, orderId), { releasedUnits: 0 });
    assert.equal(await stockOf(a), 10);
    assert.deepEqual(
      (await logOf(orderId)).map((r) => r.status),
      ['RELEASED'],
    );
  });

  it('never adds stock for an order that took nothing, and refuses its late reservation', async () => {
    const a = await newGoods(10);
    const orderId = ids.next();
    assert.deepEqual(await releaseStock(store, orderId), { releasedUnits: 0 }, 'release before any reservation: a tombstone');
    const late = await reduceStock(store, orderId, [{ goodsId: a, quantity: 3 }]);
    assert.ok(late instanceof DomainError);
    assert.equal(late.code, ErrorCode.RELEASED);
    assert.equal(await stockOf(a), 10);
    assert.deepEqual(await logOf(orderId), []);
  });

  it('serves exactly the stock there is to 200 concurrent orders, never going negative', async () => {
    const a = await newGoods(50);
    const results = await Promise.all(Array.from({ length: 200 }, () => reduceStock(store, ids.next(), [{ goodsId: a, quantity: 1 }])));
    const applied = results.filter((r) => !(r instanceof DomainError) && r.applied).length;
    const short = results.filter((r) => r instanceof DomainError && r.code === ErrorCode.INSUFFICIENT_STOCK).length;
    assert.deepEqual([applied, short], [50, 150]);
    assert.equal(await stockOf(a), 0);
  });

  it('once sold out, refuses new orders without waiting for the goods row; a repeat, a tombstone and stock given back answer as before', async () => {
    const a = await newGoods(1);
    const first = ids.next();
    assert.deepEqual(await reduceStock(store, first, [{ goodsId: a, quantity: 1 }]), { applied: true });
    const tombstone = ids.next();
    await releaseStock(store, tombstone);
    assert.equal(((await reduceStock(store, ids.next(), [{ goodsId: a, quantity: 1 }])) as DomainError).code, ErrorCode.INSUFFICIENT_STOCK);

    // Another transaction holds the goods row: a reservation that went to the row would wait for it.
    const holder = await db.transaction();
    try {
      await db.query('SELECT stock FROM goods WHERE id = ? FOR UPDATE', { replacements: [a], transaction: holder });
      const refused = await reduceStock(store, ids.next(), [{ goodsId: a, quantity: 1 }]);
      assert.equal((refused as DomainError).code, ErrorCode.INSUFFICIENT_STOCK, 'refused while the row is locked: it never asked for the lock');
      assert.deepEqual(await reduceStock(store, first, [{ goodsId: a, quantity: 1 }]), { applied: false }, 'a repeat is still a repeat');
      assert.equal(((await reduceStock(store, tombstone, [{ goodsId: a, quantity: 1 }])) as DomainError).code, ErrorCode.RELEASED);
    } finally {
      await holder.rollback();
    }

    assert.deepEqual(await releaseStock(store, first), { releasedUnits: 1 });
    assert.deepEqual(await reduceStock(store, ids.next(), [{ goodsId: a, quantity: 1 }]), { applied: true }, 'the unit given back is sold again at once');
    assert.equal(await stockOf(a), 0);
  });

  it('keeps the stock right when a release races the reservation of the same order', async () => {
    const a = await newGoods(100);
    for (let i = 0; i < 20; i++) {
      const orderId = ids.next();
      const [reduced] = await Promise.all([reduceStock(store, orderId, [{ goodsId: a, quantity: 1 }]), releaseStock(store, orderId)]);
      const took = !(reduced instanceof DomainError);
      // Whichever came first, the order ends holding nothing: taken then given back, or refused.
      assert.ok(took || reduced.code === ErrorCode.RELEASED, String(reduced));
      assert.deepEqual(
        (await logOf(orderId)).filter((r) => r.status === 'TAKEN'),
        [],
      );
    }
    assert.equal(await stockOf(a), 100);
  });

  it('a refund gives units back once per refund, never more than the order took; a later release gives back only the rest', async () => {
    const [a, b] = [await newGoods(10), await newGoods(10)];
    const orderId = ids.next();
    await reduceStock(store, orderId, [
      { goodsId: a, quantity: 3 },
      { goodsId: b, quantity: 1 },
    ]);
    const refundId = ids.next();
    assert.deepEqual(await returnStock(store, { refundId, orderId, lines: [{ goodsId: a, quantity: 2 }] }), { returnedUnits: 2 });
    assert.deepEqual(await returnStock(store, { refundId, orderId, lines: [{ goodsId: a, quantity: 2 }] }), { returnedUnits: 0 }, 'a repeat');
    const tooMany = await returnStock(store, { refundId: ids.next(), orderId, lines: [{ goodsId: a, quantity: 2 }] });
    assert.ok(tooMany instanceof DomainError && tooMany.code === ErrorCode.INVALID_ARGUMENT, 'only one unit of a is left to give back');
    const notTaken = await returnStock(store, { refundId: ids.next(), orderId: ids.next(), lines: [{ goodsId: a, quantity: 1 }] });
    assert.ok(notTaken instanceof DomainError && notTaken.code === ErrorCode.INVALID_ARGUMENT, 'an order that took nothing gives nothing back');
    assert.deepEqual([await stockOf(a), await stockOf(b)], [9, 9]);
    assert.deepEqual(await releaseStock(store, orderId), { releasedUnits: 2 }, 'the release gives back the rest only');
    assert.deepEqual([await stockOf(a), await stockOf(b)], [10, 10]);
  });

  it('rejects bad input without touching anything', async () => {
    const a = await newGoods(10);
    for (const lines of [
      [],
      [{ goodsId: a, quantity: 0 }],
      [{ goodsId: a, quantity: 1000 }],
      [{ goodsId: 'abc', quantity: 1 }],
      [{ goodsId: a, quantity: 1.5 }],
    ]) {
      const result = await reduceStock(store, ids.next(), lines);
      assert.ok(result instanceof DomainError && result.code === ErrorCode.INVALID_ARGUMENT, JSON.stringify(lines));
    }
    assert.equal(await stockOf(a), 10);
    const bad = await createGoods(store, ids, { requestId: '', name: 'x', price: '-1', stock: 1 });
    assert.ok(bad instanceof DomainError && bad.code === ErrorCode.INVALID_ARGUMENT);
  });
});
