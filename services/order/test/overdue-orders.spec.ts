/**
 * The order service's side of pay deadlines against the real MySQL, with the pay service played
 * by a stub that answers what Alipay would have said: the sweeper asks before it cancels, so an
 * order paid on time whose pay.succeeded is late (a broker or consumer outage) becomes PAID,
 * never CANCELLED and then refunded; and it drains its whole backlog in one run.
 */
import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createLogger } from '@shop/common/log';
import type { PaySettlement, SettlementAnswer } from '../src/domain/pay-deadline';
import { sweepAbandonedOrders } from '../src/mq/abandoned-order.sweeper';
import { orderMigrations } from '../src/store/migrations';
import { OrderStore } from '../src/store/order-store';
import { orderIn } from './support/orders';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_order_deadlines';

describe('overdue orders: the sweeper asks the pay service before cancelling', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(907);
  const logger = createLogger('test', 'silent');
  let db: Sequelize;
  let store: OrderStore;
  const answers = new Map<string, SettlementAnswer>();
  const asked: string[] = [];
  const pay: PaySettlement = {
    async settle(orderId) {
      asked.push(orderId);
      const answer = answers.get(orderId);
      if (answer === undefined) throw new Error('the pay service is unreachable');
      return answer;
    },
  };

  /** A CONFIRMED order whose pay deadline passed `agoMs` ago. */
  /** A CONFIRMED order whose pay deadline passed `agoMs` ago. */
  const overdueOrder = (agoMs = 5 * 60_000) => orderIn(store, ['confirm'], { payDeadline: new Date(Date.now() - agoMs) });

  const status = async (id: string) => (await store.findOrder(id))?.status;
  const outbox = async (id: string) =>
    (
      await db.query<{ tag: string }>('SELECT tag FROM mq_producer_log WHERE message_keys = ? ORDER BY id', {
        replacements: [JSON.stringify([id])],
        type: QueryTypes.SELECT,
      })
    ).map((row) => row.tag);

  before(async () => {
    db = await freshDatabase(SCHEMA, orderMigrations);
    store = new OrderStore(db);
  });

  after(async () => {
    await db?.close();
  });

  beforeEach(async () => {
    // Orders of earlier tests are settled already; the sweeper sees only this test's orders.
    await db.query("UPDATE `order` SET status = 'COMPLETED' WHERE status = 'CONFIRMED'");
    asked.length = 0;
  });

  it('paid at Alipay, its pay.succeeded late: PAID by that payment with order.paid, not cancelled', async () => {
    const id = await overdueOrder();
    const paymentId = ids.next();
    answers.set(id, { settlement: 'PAID', paymentId });
    const result = await sweepAbandonedOrders({ store, ids, pay, logger }, 30_000);
    assert.deepEqual(asked, [id], 'the pay service was asked first');
    assert.equal(await status(id), 'PAID');
    assert.equal((await store.findOrder(id))?.payment_id, paymentId);
    assert.deepEqual(await outbox(id), ['order.paid']);
    assert.equal(result.overdue.paid, 1);
  });

  it('no payment, or its trade closed: CANCELLED with order.cancelled', async () => {
    const [none, closed] = [await overdueOrder(), await overdueOrder()];
    answers.set(none, { settlement: 'NO_PAYMENT' });
    answers.set(closed, { settlement: 'CLOSED' });
    await sweepAbandonedOrders({ store, ids, pay, logger }, 30_000);
    for (const id of [none, closed]) {
      assert.equal(await status(id), 'CANCELLED');
      assert.deepEqual(await outbox(id), ['order.cancelled']);
    }
  });

  it('not settled yet (a QR code that may still be scanned), or the pay service unreachable: left CONFIRMED, asked again next time', async () => {
    const [open, unreachable] = [await overdueOrder(), await overdueOrder()];
    answers.set(open, { settlement: 'OPEN' });
    const result = await sweepAbandonedOrders({ store, ids, pay, logger }, 30_000);
    assert.equal(await status(open), 'CONFIRMED');
    assert.equal(await status(unreachable), 'CONFIRMED');
    assert.deepEqual(await outbox(open), []);
    assert.deepEqual([result.overdue.open, result.overdue.failed], [1, 1]);
  });

  it('drains a backlog of 450 overdue orders in one run (not a hundred per sweep)', async () => {
    const backlog: string[] = [];
    for (let i = 0; i < 450; i++) backlog.push(await overdueOrder());
    for (const id of backlog) answers.set(id, { settlement: 'NO_PAYMENT' });
    const result = await sweepAbandonedOrders({ store, ids, pay, logger }, 30_000);
    assert.equal(result.overdue.cancelled, 450);
    const [row] = await db.query<{ left: number }>("SELECT COUNT(*) AS `left` FROM `order` WHERE status = 'CONFIRMED'", { type: QueryTypes.SELECT });
    assert.equal(Number(row?.left), 0);
  });

  it('leaves orders within the grace after their deadline to their timers', async () => {
    const recent = await overdueOrder(10_000);
    answers.set(recent, { settlement: 'NO_PAYMENT' });
    await sweepAbandonedOrders({ store, ids, pay, logger }, 30_000);
    assert.deepEqual(asked, []);
    assert.equal(await status(recent), 'CONFIRMED');
  });
});
