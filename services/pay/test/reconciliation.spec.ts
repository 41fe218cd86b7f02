/**
 * Reconciliation counts days as Alipay's bill does, in China time (UTC+8): a payment made at
 * 01:00 in Beijing on 1 December (17:00 UTC on 30 November) belongs to the bill of 1 December.
 * Against the real MySQL, with Alipay's bill given by a stub.
 */
import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createLogger } from '@shop/common/log';
import type { AlipayApi } from '../src/alipay/alipay-client';
import { AlipayChannel } from '../src/channels/alipay-channel';
import { ChannelRegistry } from '../src/channels/channel-registry';
import { reconcile } from '../src/domain/reconciliation';
import { payMigrations } from '../src/store/migrations';
import { PayStore } from '../src/store/pay-store';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_pay_reconciliation';

const logger = createLogger('test', 'silent');
/** The channels of a shop taking Alipay only, through the (partial) Alipay given. */
const alipayOnly = (alipay: AlipayApi) =>
  new ChannelRegistry(
    [new AlipayChannel(alipay, 'http://pay-web.test/api/v1/notify/alipay', logger)],
    { enabled: ['ALIPAY_QR'], maxAmount: {}, downForMs: 1_000 },
    logger,
  );

describe('reconciliation by China day against the real MySQL', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(908);
  let db: Sequelize;
  let store: PayStore;

  /** A payment of 10.00, PAID at `paidAt` (UTC) unless another status is given. */
  async function paidAt(paidAt: string, status = 'PAID'): Promise<string> {
    const id = ids.next();
    await db.query(
      `INSERT INTO trade_pay (id, order_id, user_id, amount, balance_paid, status, qr_code, expires_at, created_at, paid_at)
       VALUES (?, ?, ?, '10.00', '0.00', ?, 'qr', ?, ?, ?)`,
      { replacements: [id, ids.next(), ids.next(), status, new Date(paidAt), new Date(paidAt), status === 'PAID' ? new Date(paidAt) : null] },
    );
    return id;
  }

  before(async () => {
    db = await freshDatabase(SCHEMA, payMigrations);
    store = new PayStore(db);
  });

  after(async () => {
    await db?.close();
  });

  it('the payments of 1 December are those paid from 30 November 16:00 UTC to 1 December 16:00 UTC', async () => {
    const beforeMidnight = await paidAt('2026-11-30T15:59:59.999Z');
    const chinaMidnight = await paidAt('2026-11-30T16:00:00.000Z');
    const chinaMorning = await paidAt('2026-11-30T23:30:00.000Z');
    const chinaEvening = await paidAt('2026-12-01T15:59:59.999Z');
    const nextChinaDay = await paidAt('2026-12-01T16:00:00.000Z');
    const ofDay = new Set((await store.paidOn('2026-12-01')).map((row) => row.id));
    assert.deepEqual(
      [beforeMidnight, chinaMidnight, chinaMorning, chinaEvening, nextChinaDay].map((id) => ofDay.has(id)),
      [false, true, true, true, false],
    );

    // Alipay's bill of the China day lists the same three: no false difference.
    const bill = [
      'trade_no,out_trade_no,trade_status,total_amount,refund_amount,paid_at',
      ...[chinaMidnight, chinaMorning, chinaEvening].map((id) => `T${id},${id},TRADE_SUCCESS,10.00,0.00,x`),
    ].join('\n');
    const alipay = { downloadBill: async () => bill } as unknown as AlipayApi;
    const report = await reconcile({ store, ids, channels: alipayOnly(alipay), logger, expiryMarginMs: 0 }, '2026-12-01');
    assert.ok(!('code' in report), JSON.stringify(report));
    assert.deepEqual([report.matched, report.differences], [3, []]);
  });

  it('money Alipay took that the shop never recorded (a CLOSED payment) is flagged and applied: its order takes it or it is refunded', async () => {
    const closed = await paidAt('2026-12-05T03:00:00.000Z', 'CLOSED');
    const bill = ['trade_no,out_trade_no,trade_status,total_amount,refund_amount,paid_at', `T${closed},${closed},TRADE_SUCCESS,10.00,0.00,x`].join('\n');
    const alipay = {
      downloadBill: async () => bill,
      query: async () => ({ status: 'TRADE_SUCCESS', amount: '10.00', tradeNo: `T${closed}` }),
    } as unknown as AlipayApi;
    const report = await reconcile({ store, ids, channels: alipayOnly(alipay), logger, expiryMarginMs: 0 }, '2026-12-05');
    assert.ok(!('code' in report), JSON.stringify(report));
    assert.deepEqual(report.differences, [
      {
        type: 'THIRD_PARTY_ONLY',
        channel: 'ALIPAY_QR',
        outTradeNo: closed,
        localAmount: '',
        alipayAmount: '10.00',
        action: 'applied: its order takes it or it is refunded',
      },
    ]);
    assert.equal((await store.findPayment(closed))?.status, 'PAID');
    const events = await db.query<{ tag: string }>('SELECT tag FROM mq_producer_log WHERE message_keys = ?', {
      replacements: [JSON.stringify([closed])],
      type: QueryTypes.SELECT,
    });
    assert.deepEqual(
      events.map((event) => event.tag),
      ['pay.succeeded'],
      'the order service hears of it, and rejects it if the order was cancelled',
    );
  });
});
