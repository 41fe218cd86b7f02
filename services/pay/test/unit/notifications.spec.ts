/**
 * Alipay's notification (src/domain/notifications.ts): trusted only when signed by Alipay, for
 * this app, a known trade and its amount; applied once, with pay.succeeded in the same
 * transaction; anything else changes nothing and answers "failure" (Alipay tries again).
 */
import assert from 'node:assert/strict';
import { Tags } from '@shop/contracts';
import { alipayReply, openPayment, payWorld, tags } from './fakes/pay-world';

async function paidAtAlipay() {
  const world = payWorld();
  const { order, paymentId } = await openPayment(world);
  const trade = world.alipay.pay(paymentId);
  const notify = (fields: Record<string, string>) => alipayReply(world.deps, fields);
  return { ...world, order, paymentId, trade, notify };
}

describe("Alipay's notification (unit, in memory)", () => {
  it('applies the payment once: PAID with its trade number and one pay.succeeded, however often Alipay repeats it', async () => {
    const { store, alipay, order, paymentId, trade, notify, userId } = await paidAtAlipay();
    assert.equal(await notify(alipay.notification(paymentId)), 'success');
    const transactions = store.transactions;
    assert.equal(await notify(alipay.notification(paymentId)), 'success', 'a repeat is acknowledged, so that Alipay stops');
    assert.equal(store.transactions, transactions, 'answered from the payment read PAID, without a transaction');
    const row = (await store.findPayment(paymentId))!;
    assert.deepEqual([row.status, row.trade_no], ['PAID', trade.tradeNo]);
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED]);
    assert.deepEqual(store.outbox[0]!.body, { paymentId, orderId: order.orderId, userId, amount: '48.00', tradeNo: trade.tradeNo });
  });

  const refusals: [string, (paymentId: string, ids: { next(): string }) => [Record<string, string>, Record<string, string>]][] = [
    ['a forged signature (the amount changed after signing)', () => [{}, { total_amount: '0.01' }]],
    ['another amount, signed', () => [{ total_amount: '48.01' }, {}]],
    ['another app', () => [{ app_id: '2021000000000999' }, {}]],
    ['an unknown trade', (_paymentId, ids) => [{ out_trade_no: ids.next() }, {}]],
    ['a malformed trade number', () => [{ out_trade_no: '12ab' }, {}]],
    ['no signature at all', () => [{}, { sign: '' }]],
  ];
  for (const [name, fieldsOf] of refusals) {
    it(`refuses ${name}: "failure", the payment stays UNPAID, nothing is announced`, async () => {
      const { store, alipay, ids, paymentId, notify } = await paidAtAlipay();
      const [signed, tampered] = fieldsOf(paymentId, ids);
      assert.equal(await notify(alipay.notification(paymentId, signed, tampered)), 'failure');
      assert.equal((await store.findPayment(paymentId))!.status, 'UNPAID');
      assert.deepEqual(store.outbox, []);
    });
  }

  it('acknowledges a notification of an unpaid trade and applies nothing', async () => {
    const world = payWorld();
    const { paymentId } = await openPayment(world);
    world.alipay.scan(paymentId);
    assert.equal(await alipayReply(world.deps, world.alipay.notification(paymentId)), 'success');
    assert.equal((await world.store.findPayment(paymentId))!.status, 'UNPAID');
    assert.deepEqual(world.store.outbox, []);
  });

  it('applies money Alipay took for a payment the shop had closed: Alipay is the truth, and the order decides (kept or refunded)', async () => {
    const { store, alipay, paymentId, notify } = await paidAtAlipay();
    store.row(paymentId).status = 'CLOSED';
    assert.equal(await notify(alipay.notification(paymentId)), 'success');
    assert.equal((await store.findPayment(paymentId))!.status, 'PAID');
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED]);
  });

  it('a notification whose transaction fails to commit applies nothing and announces nothing: Alipay sends it again', async () => {
    const { store, alipay, paymentId, notify } = await paidAtAlipay();
    store.failNextCommit = true;
    await assert.rejects(notify(alipay.notification(paymentId)), /connection lost at commit/);
    assert.equal((await store.findPayment(paymentId))!.status, 'UNPAID');
    assert.deepEqual(store.outbox, []);
    assert.equal(await notify(alipay.notification(paymentId)), 'success');
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED]);
  });
});
