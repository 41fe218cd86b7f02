/**
 * Money arithmetic in SQL stays decimal. Found by the chaos harness: two refunds of 27.21 and
 * 50.78 of a 77.99 payment; MySQL computes `DECIMAL + '50.78'` (a string parameter) as a DOUBLE,
 * 77.99000000000001 > 77.99, so the second refund's amount was never counted and the payment
 * never became REFUNDED although Alipay had given everything back.
 */
import assert from 'node:assert/strict';
import type { Sequelize } from 'sequelize';
import { SnowflakeGenerator } from '@shop/common/ids';
import { payMigrations } from '../src/store/migrations';
import { PayStore } from '../src/store/pay-store';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_pay_store';

describe('pay store: refunded amounts in exact decimals against the real MySQL', function () {
  this.timeout(30_000);
  const ids = new SnowflakeGenerator(909);
  let db: Sequelize;
  let store: PayStore;

  before(async () => {
    db = await freshDatabase(SCHEMA, payMigrations);
    store = new PayStore(db);
  });

  after(async () => {
    await db?.close();
  });

  it('two refunds of 27.21 and 50.78 add up to the 77.99 paid, and a cent more is refused', async () => {
    const id = ids.next();
    await store.transaction((tx) =>
      store.insertPayment(tx, {
        id,
        channel: 'ALIPAY_QR',
        attempt: 1,
        orderId: ids.next(),
        userId: ids.next(),
        amount: '77.99',
        balancePaid: '0.00',
        expiresAt: new Date(),
      }),
    );
    assert.equal(await store.transaction((tx) => store.addRefunded(tx, id, '27.21')), true);
    assert.equal(await store.transaction((tx) => store.addRefunded(tx, id, '50.78')), true);
    assert.equal(await store.transaction((tx) => store.addRefunded(tx, id, '0.01')), false);
    assert.equal((await store.findPayment(id))?.refunded_amount, '77.99');
  });
});
