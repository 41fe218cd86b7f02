import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { loadInfraConfig } from '@shop/common/config';
import { DomainError } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createLogger } from '@shop/common/log';
import { TransactionalProducer, type MqConsumer } from '@shop/common/mq';
import { eventsOf, Tags, Topics } from '@shop/contracts';
import { createGoods } from '../src/domain/catalog';
import { reduceStock } from '../src/domain/stock';
import { startReleaseStockConsumer } from '../src/mq/release-stock.consumer';
import { GoodsStore } from '../src/store/goods-store';
import { goodsMigrations } from '../src/store/migrations';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_goods_consumer';

describe('goods: the release consumer (real RocketMQ and MySQL)', function () {
  this.timeout(90_000);
  const infra = loadInfraConfig();
  const logger = createLogger('goods-test', process.env.LOG_LEVEL ?? 'silent');
  const connection = { ...infra.rocketmq, logger };
  const ids = new SnowflakeGenerator(903);
  let db: Sequelize;
  let store: GoodsStore;
  let consumer: MqConsumer;
  let producer: TransactionalProducer;

  const stockOf = async (goodsId: string) =>
    (await db.query<{ stock: number }>('SELECT stock FROM goods WHERE id = ?', { replacements: [goodsId], type: QueryTypes.SELECT }))[0]!.stock;
  const released = async (orderId: string) =>
    (await db.query("SELECT 1 FROM goods_order_release WHERE order_id = ? AND status = 'RELEASED'", { replacements: [orderId], type: QueryTypes.SELECT }))
      .length === 1;
  /** What the order service does when a placement fails: commit the order.cancel half message. */
  const userId = ids.next();
  const cancel = async (orderId: string) => (await producer.sendHalf(eventsOf('order').half(Tags.ORDER_CANCEL, { orderId, userId }))).commit();
  const deadLetters = async (orderId: string) =>
    db.query<{ problem: string }>('SELECT problem FROM mq_dead_letter WHERE message_key = ?', { replacements: [orderId], type: QueryTypes.SELECT });
  const eventually = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 40_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    db = await freshDatabase(SCHEMA, goodsMigrations);
    store = new GoodsStore(db);
    // A group of its own: a goods service running locally keeps its own messages.
    consumer = await startReleaseStockConsumer(connection, store, logger, `shop-goods-test-${randomUUID().slice(0, 8)}`);
    // Check-backs of this test's messages never happen (each is committed at once); answer
    // ROLLBACK for anything else the broker might ask this producer group about.
    producer = await TransactionalProducer.start(connection, Topics.ORDER_PLACEMENT, async () => 'ROLLBACK');
    // A new group starts reading where the queue ends when it first polls: cancel throwaway
    // orders until one is seen, so that the tests' messages cannot be skipped.
    const warmup = ids.next();
    const deadline = Date.now() + 40_000;
    while (!(await released(warmup))) {
      if (Date.now() > deadline) throw new Error('the release consumer never received a message');
      await cancel(warmup);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  });

  after(async () => {
    await Promise.all([consumer?.shutdown(), producer?.shutdown()]);
    await db?.close();
  });

  it('gives back the stock of a cancelled order once, however often the cancel arrives', async () => {
    const goods = await createGoods(store, ids, { requestId: '', name: 'mug', price: '8.00', stock: 20 });
    assert.ok(!(goods instanceof DomainError));
    const orderId = ids.next();
    assert.deepEqual(await reduceStock(store, orderId, [{ goodsId: goods.goodsId, quantity: 5 }]), { applied: true });
    assert.equal(await stockOf(goods.goodsId), 15);

    await cancel(orderId);
    await eventually('the release', () => released(orderId));
    assert.equal(await stockOf(goods.goodsId), 20);

    // The same cancel again (a redelivery, or a second placement failure report).
    await cancel(orderId);
    const marker = ids.next();
    await cancel(marker); // processed after the duplicate in most cases; wait for it, then check
    await eventually('the marker', () => released(marker));
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await stockOf(goods.goodsId), 20, 'stock given back once');
    const [log] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM mq_consumer_log WHERE message_key = ?', {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
    assert.equal(Number(log?.n), 1);
  });

  it('leaves a tombstone for an order that took nothing, refusing its late reservation', async () => {
    const goods = await createGoods(store, ids, { requestId: '', name: 'cap', price: '3.00', stock: 5 });
    assert.ok(!(goods instanceof DomainError));
    const orderId = ids.next();
    await cancel(orderId);
    await eventually('the tombstone', () => released(orderId));
    const late = await reduceStock(store, orderId, [{ goodsId: goods.goodsId, quantity: 1 }]);
    assert.ok(late instanceof DomainError && late.code === 'RELEASED');
    assert.equal(await stockOf(goods.goodsId), 5);
  });

  it('records a malformed order.cancel in mq_dead_letter, releases nothing, and goes on with the next message', async () => {
    const goods = await createGoods(store, ids, { requestId: '', name: 'pen', price: '2.00', stock: 9 });
    assert.ok(!(goods instanceof DomainError));
    const orderId = ids.next();
    assert.deepEqual(await reduceStock(store, orderId, [{ goodsId: goods.goodsId, quantity: 4 }]), { applied: true });
    // A producer that forgot userId: no redelivery can fix it.
    await (await producer.sendHalf({ tag: Tags.ORDER_CANCEL, keys: [orderId], body: { orderId } })).commit();
    await eventually('the dead letter', async () => (await deadLetters(orderId)).length === 1);
    assert.match((await deadLetters(orderId))[0]!.problem, /userId must be a snowflake id, got nothing/);
    assert.equal(await released(orderId), false);
    assert.equal(await stockOf(goods.goodsId), 5);
    // The consumer is not stuck on it, and the key is not spent: the well-formed cancel of the same order releases it.
    await cancel(orderId);
    await eventually('the release', () => released(orderId));
    assert.equal(await stockOf(goods.goodsId), 9);
  });
});
