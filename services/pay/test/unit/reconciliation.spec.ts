/**
 * Reconciliation (src/domain/reconciliation.ts) against in-memory ports: Alipay's bill of a
 * China-time day against the payments paid that day, money Alipay took that the shop had not
 * recorded applied, and the report stored.
 */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { Tags } from '@shop/contracts';
import { reconcile } from '../../src/domain/reconciliation';
import { openPayment, paidOrder, payWorld, tags } from './fakes/pay-world';

const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('reconciliation (unit, in memory)', () => {
  it('matches the bill, flags what only one side has, and applies a payment Alipay took that the shop had closed', async () => {
    const world = payWorld();
    const { deps, store, alipay } = world;
    await paidOrder(world); // on both sides
    const onlyHere = (await paidOrder(world, '12.00')).paymentId;
    alipay.trades.get(onlyHere)!.paidAt = undefined; // absent from Alipay's bill
    const closed = (await openPayment(world, '7.50')).paymentId;
    store.row(closed).status = 'CLOSED';
    alipay.pay(closed);

    const date = chinaToday();
    const report = await reconcile(deps, date);
    assert.ok(!(report instanceof DomainError), JSON.stringify(report));
    assert.equal(report.matched, 1);
    assert.deepEqual(report.differences, [
      { type: 'LOCAL_ONLY', channel: 'ALIPAY_QR', outTradeNo: onlyHere, localAmount: '12.00', alipayAmount: '', action: '' },
      {
        type: 'THIRD_PARTY_ONLY',
        channel: 'ALIPAY_QR',
        outTradeNo: closed,
        localAmount: '',
        alipayAmount: '7.50',
        action: 'applied: its order takes it or it is refunded',
      },
    ]);
    assert.equal((await store.findPayment(closed))!.status, 'PAID');
    assert.deepEqual(store.outbox.at(-1)!.keys, [closed]);
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED, Tags.PAY_SUCCEEDED, Tags.PAY_SUCCEEDED]);
    assert.deepEqual(store.reports.get(date), { matched: 1, differences: report.differences });
  });

  it('refuses a malformed date, and a day Alipay has no bill for yet', async () => {
    const { deps, store } = payWorld();
    const malformed = await reconcile(deps, '2026-02-30');
    assert.ok(malformed instanceof DomainError && malformed.code === ErrorCode.INVALID_ARGUMENT);
    const future = await reconcile(deps, '2999-01-01');
    assert.ok(future instanceof DomainError && future.code === ErrorCode.NOT_FOUND, JSON.stringify(future));
    assert.equal(store.reports.size, 0);
  });
});
