/**
 * Creating a payment (src/domain/payments.ts createPayment) against in-memory ports: the row
 * written first, the trade at Alipay, the pay.timeout half message, and the second look at the
 * order that keeps a QR code from an order cancelled meanwhile.
 */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { createPayment, getPayment, settleUnpaid, type PaymentView } from '../../src/domain/payments';
import { payWorld, type PayWorld } from './fakes/pay-world';

const created = (result: PaymentView | DomainError): PaymentView => {
  if (result instanceof DomainError) assert.fail(`expected a payment, got ${result.code}: ${result.message}`);
  return result;
};

const refused = (result: PaymentView | DomainError, code: string): DomainError => {
  assert.ok(result instanceof DomainError, `expected ${code}, got a payment`);
  assert.equal(result.code, code);
  return result;
};

function setup(orderOptions: Parameters<PayWorld['orders']['addOrder']>[2] = {}, downForMs = 30_000) {
  const world = payWorld([], { downForMs });
  const order = world.orders.addOrder(world.userId, '48.00', orderOptions);
  const pay = (userId = world.userId) => createPayment(world.deps, { orderId: order.orderId, userId });
  return { ...world, order, pay };
}

describe('creating a payment (unit, in memory)', () => {
  it('writes an UNPAID payment, precreates its trade until the pay deadline and sends its pay.timeout half message', async () => {
    const { store, alipay, halves, order, pay } = setup();
    const payment = created(await pay());
    assert.deepEqual([payment.status, payment.amount, payment.orderId], ['UNPAID', '48.00', order.orderId]);
    assert.equal(payment.qrCode, `https://qr.alipay.test/${payment.paymentId}`);
    assert.equal(payment.expiresAt, order.payDeadline, 'the trade expires at the order deadline');
    const trade = alipay.trades.get(payment.paymentId)!;
    assert.deepEqual([trade.amount, trade.expiresAt.toISOString(), trade.scanned], ['48.00', order.payDeadline, false]);
    assert.equal(halves.get(payment.paymentId), order.orderId);
    assert.deepEqual(
      store.payLog.map((line) => line.event),
      ['CREATED'],
    );
    assert.deepEqual(store.outbox, [], 'nothing is announced before Alipay took money');
  });

  it('asking again answers the same payment without another trade', async () => {
    const { alipay, pay } = setup();
    const first = created(await pay());
    const again = created(await pay());
    assert.deepEqual(again, first);
    assert.equal(alipay.callsOf('precreate').length, 1);
  });

  it("answers another user's payment as not found", async () => {
    const { ids, pay } = setup();
    created(await pay());
    refused(await pay(ids.next()), ErrorCode.NOT_FOUND);
  });

  const notPayable: [string, Parameters<PayWorld['orders']['addOrder']>[2]][] = [
    ['a cancelled order', { status: 'CANCELLED' }],
    ['an order paid in full by balance', { status: 'PAID' }],
    ['an order past its pay deadline', { deadlineInMs: -1_000 }],
    ['an order with less than five seconds left to pay', { deadlineInMs: 4_000 }],
  ];
  for (const [name, options] of notPayable) {
    it(`refuses ${name} (ORDER_STATE) and writes nothing, asks Alipay nothing`, async () => {
      const { store, alipay, halves, order, pay } = setup(options);
      refused(await pay(), ErrorCode.ORDER_STATE);
      assert.equal(await store.findByOrder(order.orderId), undefined);
      assert.deepEqual([alipay.calls, halves.size], [[], 0]);
    });
  }

  it('a payment already PAID is answered as it is: no second trade', async () => {
    const { alipay, deps, store, pay } = setup();
    const payment = created(await pay());
    alipay.pay(payment.paymentId);
    assert.equal(await settleUnpaid(deps, payment.paymentId), 'PAID');
    const again = created(await pay());
    assert.deepEqual([again.paymentId, again.status], [payment.paymentId, 'PAID']);
    assert.equal(alipay.callsOf('precreate').length, 1);
    assert.equal((await store.findPayment(payment.paymentId))!.status, 'PAID');
  });

  it('an order cancelled while Alipay made the trade gets no QR code: none handed out, none kept, the trade asked to close', async () => {
    const { deps, store, alipay, orders, order, pay } = setup();
    let reads = 0;
    deps.readOrder = async (orderId, userId) => {
      // The second look, after the precreate: the user cancelled meanwhile.
      if (++reads === 2) orders.orders.get(orderId)!.status = 'CANCELLED';
      return orders.readOrder(orderId, userId);
    };
    refused(await pay(), ErrorCode.ORDER_STATE);
    const row = (await store.findByOrder(order.orderId))!;
    assert.deepEqual([row.status, row.qr_code], ['UNPAID', ''], 'the row stays, to settle whatever Alipay does with the trade');
    assert.deepEqual(alipay.callsOf('close'), [`close ${row.id}`], 'nobody scanned it: Alipay knows no trade to close yet');

    refused(await pay(), ErrorCode.ORDER_STATE);
    assert.equal((await store.findPayment(row.id))!.qr_code, '', 'asking again hands out nothing either');
  });

  it('a precreate Alipay refuses leaves the payment without a QR code, and asking again once Alipay is back finishes the same payment', async () => {
    const { store, alipay, pay, order } = setup({}, 50);
    alipay.fail('precreate', { refuse: 'ACQ.SYSTEM_ERROR' });
    assert.match(refused(await pay(), ErrorCode.CHANNEL_UNAVAILABLE).message, /Alipay is not answering\. No other channel is open/);
    const row = (await store.findByOrder(order.orderId))!;
    assert.deepEqual([row.status, row.qr_code], ['UNPAID', '']);
    assert.equal(refused(await pay(), ErrorCode.CHANNEL_UNAVAILABLE).code, ErrorCode.CHANNEL_UNAVAILABLE, 'marked down: not asked again at once');
    assert.equal(alipay.callsOf('precreate').length, 1);
    await new Promise((resolve) => setTimeout(resolve, 60));

    const payment = created(await pay());
    assert.equal(payment.paymentId, row.id);
    assert.ok(payment.qrCode);
    assert.deepEqual(
      store.payLog.map((line) => line.event),
      ['CREATED'],
      'one payment, created once',
    );
  });

  it('getPayment answers its owner, and nobody else', async () => {
    const { ids, store, pay, userId } = setup();
    const payment = created(await pay());
    assert.deepEqual(await getPayment(store, { paymentId: payment.paymentId, userId }), payment);
    refused(await getPayment(store, { paymentId: payment.paymentId, userId: ids.next() }), ErrorCode.NOT_FOUND);
    refused(await getPayment(store, { paymentId: 'x', userId }), ErrorCode.INVALID_ARGUMENT);
  });
});
