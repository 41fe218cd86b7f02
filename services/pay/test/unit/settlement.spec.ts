/**
 * Settling unpaid payments with Alipay (src/domain/payments.ts settleUnpaid, and its callers:
 * the order's deadline, the pay.timeout check-back, the overdue sweeper): only Alipay's answer
 * closes a payment, and a payment Alipay took is applied whatever the shop thought.
 */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import type { ReceivedMessage } from '@shop/common/mq';
import { Tags } from '@shop/contracts';
import { settleOrderPayment, settleUnpaid } from '../../src/domain/payments';
import { sweepOverduePayments } from '../../src/mq/overdue-payment.sweeper';
import { checkPaymentTimeout } from '../../src/mq/payment-check';
import { openPayment, payWorld, tags, type PayWorld } from './fakes/pay-world';

/** The payment's deadline passed `agoMs` ago (its trade at Alipay keeps its own). */
const age = (world: PayWorld, paymentId: string, agoMs: number) => void (world.store.row(paymentId).expires_at = new Date(Date.now() - agoMs));

const checkBack = (world: PayWorld, paymentId: string) => checkPaymentTimeout(world.deps, { keys: [paymentId] } as unknown as ReceivedMessage);

async function scanned() {
  const world = payWorld();
  const { order, paymentId } = await openPayment(world);
  world.alipay.scan(paymentId);
  const status = async () => (await world.store.findPayment(paymentId))!.status;
  return { ...world, order, paymentId, status };
}

describe('settling unpaid payments (unit, in memory)', () => {
  it('before its deadline, a trade the buyer can still pay stays OPEN: nothing is closed', async () => {
    const { deps, alipay, paymentId, status } = await scanned();
    assert.equal(await settleUnpaid(deps, paymentId), 'OPEN');
    assert.equal(await status(), 'UNPAID');
    assert.deepEqual(alipay.callsOf('close'), []);
  });

  it("at the order's deadline a scanned unpaid trade is closed at Alipay first, then CLOSED here with its log line", async () => {
    const { deps, store, alipay, order, paymentId, status } = await scanned();
    assert.deepEqual(await settleOrderPayment(deps, order.orderId), { settlement: 'CLOSED', paymentId });
    assert.equal(alipay.trades.get(paymentId)!.status, 'TRADE_CLOSED');
    assert.equal(await status(), 'CLOSED');
    assert.deepEqual(
      store.payLog.map((line) => [line.event, line.detail]),
      [
        ['CREATED', 'payment row written (ALIPAY_QR)'],
        ['CLOSED', 'order cancelled'],
      ],
    );
  });

  it('a close Alipay refuses (ACQ.SYSTEM_ERROR) leaves the payment UNPAID and OPEN; asked again, it closes', async () => {
    const { deps, alipay, paymentId, status } = await scanned();
    alipay.fail('close', { refuse: 'ACQ.SYSTEM_ERROR' });
    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'OPEN');
    assert.equal(await status(), 'UNPAID');
    assert.equal(alipay.trades.get(paymentId)!.status, 'WAIT_BUYER_PAY', 'the buyer could still pay: it must not be CLOSED here');

    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'CLOSED');
    assert.equal(await status(), 'CLOSED');
  });

  it('a close whose answer was lost is OPEN; asked again, Alipay says TRADE_CLOSED and it is CLOSED without closing twice', async () => {
    const { deps, alipay, paymentId, status } = await scanned();
    alipay.fail('close', 'lost');
    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'OPEN');
    assert.equal(await status(), 'UNPAID');
    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'CLOSED');
    assert.equal(alipay.callsOf('close').length, 1);
  });

  it('Alipay not answering the query: OPEN, and nothing is closed on a guess', async () => {
    const { deps, alipay, paymentId, status } = await scanned();
    alipay.fail('query', 'down');
    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'OPEN');
    assert.equal(await status(), 'UNPAID');
    assert.deepEqual(alipay.callsOf('close'), []);
  });

  it('a QR code nobody scanned (ACQ.TRADE_NOT_EXIST) stays OPEN until its expiry plus the margin, then is CLOSED with no close asked', async () => {
    const world = payWorld();
    const { order, paymentId } = await openPayment(world);
    age(world, paymentId, 5_000);
    assert.deepEqual(await settleOrderPayment(world.deps, order.orderId), { settlement: 'OPEN', paymentId }, 'it may still be scanned');
    age(world, paymentId, world.deps.expiryMarginMs);
    assert.deepEqual(await settleOrderPayment(world.deps, order.orderId), { settlement: 'CLOSED', paymentId });
    assert.deepEqual(world.alipay.callsOf('close'), [], 'Alipay knows no trade to close');
  });

  it('a trade that turns out paid (its notification lost) is applied with pay.succeeded, and the check-back rolls back', async () => {
    const world = await scanned();
    const { store, alipay, paymentId, status } = world;
    const trade = alipay.pay(paymentId);
    age(world, paymentId, 60_000);
    assert.equal(await checkBack(world, paymentId), 'ROLLBACK');
    assert.equal(await status(), 'PAID');
    assert.equal((await store.findPayment(paymentId))!.trade_no, trade.tradeNo);
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED]);
    assert.deepEqual(alipay.callsOf('close'), []);
  });

  it('a buyer paying while the deadline closes the trade: Alipay refuses the close, and the next look applies the payment', async () => {
    const { deps, store, alipay, paymentId, status } = await scanned();
    const query = alipay.query.bind(alipay);
    alipay.query = async (outTradeNo) => {
      const answer = await query(outTradeNo);
      alipay.pay(outTradeNo);
      return answer;
    };
    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'OPEN');
    assert.equal(await status(), 'UNPAID', 'not CLOSED: Alipay has the money');
    alipay.query = query;
    assert.equal(await settleUnpaid(deps, paymentId, { force: true }), 'PAID');
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED]);
  });

  it('the check-back: no such payment -> ROLLBACK, open -> UNKNOWN, closed -> COMMIT (the order is cancelled)', async () => {
    const world = await scanned();
    assert.equal(await checkBack(world, world.ids.next()), 'ROLLBACK');
    assert.equal(await checkBack(world, world.paymentId), 'UNKNOWN');
    age(world, world.paymentId, 1_000);
    assert.equal(await checkBack(world, world.paymentId), 'COMMIT');
    assert.equal(await world.status(), 'CLOSED');
  });

  it('settleOrderPayment: an order without a payment has NO_PAYMENT; a malformed id is refused', async () => {
    const world = payWorld();
    assert.deepEqual(await settleOrderPayment(world.deps, world.ids.next()), { settlement: 'NO_PAYMENT', paymentId: '' });
    const refused = await settleOrderPayment(world.deps, 'nope');
    assert.ok(refused instanceof DomainError && refused.code === ErrorCode.INVALID_ARGUMENT);
  });

  it('the overdue sweeper settles the whole backlog: paid applied, closed announced with pay.closed, undecided left', async () => {
    const world = payWorld();
    const paid = (await openPayment(world)).paymentId;
    const expired = (await openPayment(world)).paymentId;
    const unscanned = (await openPayment(world)).paymentId;
    const fresh = (await openPayment(world)).paymentId;
    world.alipay.pay(paid);
    world.alipay.scan(expired);
    for (const id of [paid, expired, unscanned]) age(world, id, 61_000);
    // Alipay closed the expired trade at its own timeout, as it does with unpaid scanned trades.
    world.alipay.trades.get(expired)!.expiresAt = new Date(Date.now() - 1);
    world.deps.expiryMarginMs = 120_000;

    assert.deepEqual(await sweepOverduePayments(world.deps, 60_000), { paid: 1, closed: 1, open: 1 });
    const statuses = await Promise.all([paid, expired, unscanned, fresh].map(async (id) => (await world.store.findPayment(id))!.status));
    assert.deepEqual(statuses, ['PAID', 'CLOSED', 'UNPAID', 'UNPAID']);
    assert.deepEqual(
      world.store.outbox.map((message) => [message.tag, message.keys[0]]),
      [
        [Tags.PAY_SUCCEEDED, paid],
        [Tags.PAY_CLOSED, expired],
      ],
    );
    assert.deepEqual(world.alipay.callsOf('close'), [], 'Alipay had closed it already');
  });
});
