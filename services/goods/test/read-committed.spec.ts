/**
 * The release tombstones hold whatever the isolation level. Managed MySQL often runs READ
 * COMMITTED, where a locking read of a missing row takes no gap lock: the earlier ledger let a
 * reservation that had checked "not released" go on taking stock while a release of the same
 * order committed its tombstone, and the stock stayed taken by a released order. Here both
 * orders of the race are forced, on connections set to READ COMMITTED.
 */
import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { loadInfraConfig } from '@shop/common/config';
import { openDatabase } from '@shop/common/db';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createGoods } from '../src/domain/catalog';
import { reduceStock, releaseStock } from '../src/domain/stock';
import { GoodsStore } from '../src/store/goods-store';
import { goodsMigrations } from '../src/store/migrations';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_goods_read_committed';

/** A promise with its resolve at hand. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** MariaDB before 11.1 names it tx_isolation; MySQL 8 only transaction_isolation. */
async function isolationOf(db: Sequelize): Promise<string> {
  const read = (variable: string) => db.query<{ level: string }>(`SELECT @@SESSION.${variable} AS level`, { type: QueryTypes.SELECT });
  const [row] = await read('transaction_isolation').catch(() => read('tx_isolation'));
  return row!.level;
}

describe('goods: release tombstones under READ COMMITTED', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(906);
  let db: Sequelize;
  let store: GoodsStore;

  const stockOf = async (goodsId: string) =>
    (await db.query<{ stock: number }>('SELECT stock FROM goods WHERE id = ?', { replacements: [goodsId], type: QueryTypes.SELECT }))[0]!.stock;
  const takenBy = async (orderId: string) =>
    (
      await db.query<{ units: string | null }>("SELECT SUM(quantity) AS units FROM goods_number_log WHERE order_id = ? AND status = 'TAKEN'", {
        replacements: [orderId],
        type: QueryTypes.SELECT,
      })
    )[0]!.units;

  before(async () => {
    db = await freshDatabase(SCHEMA, goodsMigrations, 'READ COMMITTED');
    store = new GoodsStore(db);
  });

  after(async () => {
    await db?.close();
  });

  it('runs on READ COMMITTED connections (and every service connection on REPEATABLE READ)', async () => {
    assert.equal(await isolationOf(db), 'READ-COMMITTED');
    const normal = await openDatabase(loadInfraConfig().mysql, SCHEMA);
    try {
      assert.equal(await isolationOf(normal), 'REPEATABLE-READ');
    } finally {
      await normal.close();
    }
  });

  it('a release arriving while the reservation is taking the stock waits for it, then gives everything back', async () => {
    const goods = await createGoods(store, ids, { requestId: '', name: 'pen', price: '1.00', stock: 10 });
    assert.ok(!(goods instanceof DomainError));
    const orderId = ids.next();
    const reached = deferred();
    const gate = deferred();
    // Held between the reservation's two trips: its ledger row and the stock taken, not committed.
    const reserveInTwoTrips = store.releases.reserveInTwoTrips.bind(store.releases);
    store.releases.reserveInTwoTrips = (id, take, took) =>
      reserveInTwoTrips(id, take, async (results) => {
        reached.resolve();
        await gate.promise;
        return took(results);
      });
    try {
      const reserving = reduceStock(store, orderId, [{ goodsId: goods.goodsId, quantity: 3 }]);
      await reached.promise;
      const releasing = releaseStock(store, orderId);
      await new Promise((resolve) => setTimeout(resolve, 500));
      gate.resolve();
      const [reserved, released] = await Promise.all([reserving, releasing]);
      assert.deepEqual(reserved, { applied: true });
      assert.deepEqual(released, { releasedUnits: 3 }, 'the release saw what the reservation took');
    } finally {
      store.releases.reserveInTwoTrips = reserveInTwoTrips;
    }
    assert.equal(await stockOf(goods.goodsId), 10, 'no unit stays taken by a released order');
    assert.equal(await takenBy(orderId), null);
  });

  it('a reservation arriving while the release is being written waits for it, then is refused', async () => {
    const goods = await createGoods(store, ids, { requestId: '', name: 'pen', price: '1.00', stock: 10 });
    assert.ok(!(goods instanceof DomainError));
    const orderId = ids.next();
    const reached = deferred();
    const gate = deferred();
    const returnedUnits = store.returnedUnits.bind(store);
    store.returnedUnits = async (...args) => {
      reached.resolve();
      await gate.promise;
      return returnedUnits(...args);
    };
    try {
      const releasing = releaseStock(store, orderId);
      await reached.promise;
      const reserving = reduceStock(store, orderId, [{ goodsId: goods.goodsId, quantity: 3 }]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      gate.resolve();
      const [released, reserved] = await Promise.all([releasing, reserving]);
      assert.deepEqual(released, { releasedUnits: 0 }, 'a tombstone');
      assert.ok(reserved instanceof DomainError && reserved.code === ErrorCode.RELEASED, JSON.stringify(reserved));
    } finally {
      store.returnedUnits = returnedUnits;
    }
    assert.equal(await stockOf(goods.goodsId), 10);
  });

  it('200 races of a reservation and a release of the same order leave no unit taken', async () => {
    const goods = await createGoods(store, ids, { requestId: '', name: 'pen', price: '1.00', stock: 1_000 });
    assert.ok(!(goods instanceof DomainError));
    const orders = Array.from({ length: 200 }, () => ids.next());
    await Promise.all(
      orders.map((orderId) => Promise.all([reduceStock(store, orderId, [{ goodsId: goods.goodsId, quantity: 1 }]), releaseStock(store, orderId)])),
    );
    assert.equal(await stockOf(goods.goodsId), 1_000);
  });
});
