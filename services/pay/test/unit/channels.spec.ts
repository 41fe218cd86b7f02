/**
 * Two channels (src/domain/payments.ts, refund-runner.ts, notifications.ts with Alipay and an
 * in-memory WeChat Pay): a payment through either, switching channel on an open payment (the
 * first trade closed, money landing on it afterwards applied and, the order having taken the
 * other, refunded: never kept twice), a channel whose gateway fails marked down, WeChat Pay's
 * refunds that answer PROCESSING and finish by notification.
 */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import type { ReceivedMessage } from '@shop/common/mq';
import { Tags } from '@shop/contracts';
import pino from 'pino';
import { ChannelRegistry } from '../../src/channels/channel-registry';
import { handleNotification } from '../../src/domain/notifications';
import { createPayment, settleOrderPayment, type PaymentView } from '../../src/domain/payments';
import { refundRejectedPayment, requestRefund } from '../../src/domain/refunds';
import { checkPaymentTimeout } from '../../src/mq/payment-check';
import { sweepOverduePayments } from '../../src/mq/overdue-payment.sweeper';
import { FakeWechatPay } from './fakes/fake-wechatpay';
import { alipayReply, payWorld, tags } from './fakes/pay-world';

const silent = pino({ level: 'silent' });

function twoChannels() {
  const wechat = new FakeWechatPay();
  const world = payWorld([wechat]);
  const order = world.orders.addOrder(world.userId, '48.00');
  const pay = (channel?: 'ALIPAY_QR' | 'WECHAT_NATIVE') => createPayment(world.deps, { orderId: order.orderId, userId: world.userId, channel });
  return { ...world, wechat, order, pay };
}

const created = (result: PaymentView | DomainError): PaymentView => {
  if (result instanceof DomainError) assert.fail(`expected a payment, got ${result.code}: ${result.message}`);
  return result;
};

const checkBack = (deps: ReturnType<typeof twoChannels>['deps'], paymentId: string) =>
  checkPaymentTimeout(deps, { keys: [paymentId] } as unknown as ReceivedMessage);

describe('payment channels (unit, in memory)', () => {
  it('pays through WeChat Pay Native: its QR code, the payment of that channel, applied from its notification once', async () => {
    const { deps, store, wechat, pay } = twoChannels();
    const payment = created(await pay('WECHAT_NATIVE'));
    assert.deepEqual([payment.channel, payment.status], ['WECHAT_NATIVE', 'UNPAID']);
    assert.match(payment.qrCode, /^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    wechat.pay(payment.paymentId);
    const notice = wechat.notification(wechat.paidNotice(payment.paymentId));
    assert.equal(await handleNotification(deps, 'WECHAT_NATIVE', notice), 'ACK');
    assert.equal(await handleNotification(deps, 'WECHAT_NATIVE', notice), 'ACK', 'a replay is acknowledged and changes nothing');
    assert.equal((await store.findPayment(payment.paymentId))!.status, 'PAID');
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED]);
  });

  it("refuses a notification naming another channel's payment, or another amount: nothing applied", async () => {
    const { deps, store, wechat, pay } = twoChannels();
    const payment = created(await pay('ALIPAY_QR'));
    const forged = wechat.notification({ kind: 'PAID', noticeId: 'x', outTradeNo: payment.paymentId, amount: '48.00', tradeNo: '4200x' });
    assert.equal(await handleNotification(deps, 'WECHAT_NATIVE', forged), 'RETRY');
    const wx = twoChannels();
    const wxPayment = created(await wx.pay('WECHAT_NATIVE'));
    wx.wechat.pay(wxPayment.paymentId);
    const cheaper = wx.wechat.notification({ ...wx.wechat.paidNotice(wxPayment.paymentId), amount: '0.01' } as never);
    assert.equal(await handleNotification(wx.deps, 'WECHAT_NATIVE', cheaper), 'RETRY');
    assert.equal(await handleNotification(wx.deps, 'WECHAT_NATIVE', { headers: {}, body: '{}' }), 'RETRY', 'unverifiable');
    assert.deepEqual([(await store.findPayment(payment.paymentId))!.status, (await wx.store.findPayment(wxPayment.paymentId))!.status], ['UNPAID', 'UNPAID']);
    assert.deepEqual([...store.outbox, ...wx.store.outbox], []);
  });

  it('with no channel asked for, the first open one; asking again answers the same payment', async () => {
    const { pay } = twoChannels();
    const first = created(await pay());
    assert.equal(first.channel, 'ALIPAY_QR');
    assert.equal(created(await pay()).paymentId, first.paymentId);
    assert.equal(created(await pay('ALIPAY_QR')).paymentId, first.paymentId);
  });

  it('switching channel replaces the open payment; money landing on the first afterwards is applied, and refunded when the order took the other: never kept twice', async () => {
    const { deps, store, alipay, wechat, order, pay } = twoChannels();
    const first = created(await pay('ALIPAY_QR'));
    const second = created(await pay('WECHAT_NATIVE'));
    assert.notEqual(second.paymentId, first.paymentId);
    assert.equal(second.channel, 'WECHAT_NATIVE');
    const replaced = (await store.findPayment(first.paymentId))!;
    // Nobody scanned the Alipay QR code: Alipay knows no trade to close, it stays UNPAID, replaced.
    assert.deepEqual([replaced.status, replaced.superseded_at !== null], ['UNPAID', true]);
    assert.deepEqual(alipay.callsOf('close'), [`close ${first.paymentId}`]);
    assert.equal((await store.findByOrder(order.orderId))!.id, second.paymentId, 'the order now pays through WeChat Pay');
    assert.equal(created(await pay('WECHAT_NATIVE')).paymentId, second.paymentId, 'asking again answers the new one');

    // The buyer still had the Alipay QR code on screen and pays it, then pays WeChat too.
    alipay.pay(first.paymentId);
    assert.equal(await alipayReply(deps, alipay.notification(first.paymentId)), 'success');
    wechat.pay(second.paymentId);
    assert.equal(await handleNotification(deps, 'WECHAT_NATIVE', wechat.notification(wechat.paidNotice(second.paymentId))), 'ACK');
    assert.deepEqual(
      store.outbox.map((message) => [message.tag, (message.body as { paymentId: string }).paymentId]),
      [
        [Tags.PAY_SUCCEEDED, first.paymentId],
        [Tags.PAY_SUCCEEDED, second.paymentId],
      ],
      'both applied: the order service takes the first and rejects the other (services/order: acceptPaymentWithin)',
    );

    const refund = (await refundRejectedPayment(deps, { paymentId: second.paymentId, orderId: order.orderId, orderStatus: 'PAID' }))!;
    assert.deepEqual([refund.status, refund.reason], ['PENDING', 'the order was paid by another payment']);
    wechat.finishRefunds();
    assert.equal(
      await handleNotification(
        deps,
        'WECHAT_NATIVE',
        wechat.notification({ kind: 'REFUND', noticeId: 'r', outTradeNo: second.paymentId, refundId: refund.id }),
      ),
      'ACK',
    );
    assert.equal((await deps.refunds.find(refund.id))!.status, 'SUCCEEDED');
    assert.deepEqual([alipay.refundedOf(first.paymentId), wechat.refundedOf(second.paymentId)], ['0.00', '48.00'], 'kept once, through Alipay');
    assert.equal((await store.findPayment(second.paymentId))!.status, 'REFUNDED');
  });

  it('a replaced payment closed at its channel no longer speaks for the order: its check-back rolls back, the sweeper announces nothing', async () => {
    const { deps, store, alipay, pay } = twoChannels();
    const first = created(await pay('ALIPAY_QR'));
    alipay.scan(first.paymentId); // scanned: Alipay has a trade to close
    const second = created(await pay('WECHAT_NATIVE'));
    const replaced = (await store.findPayment(first.paymentId))!;
    assert.deepEqual([replaced.status, replaced.superseded_at !== null], ['CLOSED', true]);
    assert.deepEqual(
      store.payLog.filter((line) => line.paymentId === first.paymentId).map((line) => [line.event, line.detail]),
      [
        ['CREATED', 'payment row written (ALIPAY_QR)'],
        ['CLOSED', 'replaced by a payment through WECHAT_NATIVE'],
      ],
    );
    assert.equal(await checkBack(deps, first.paymentId), 'ROLLBACK', 'a COMMIT would cancel the order being paid through WeChat Pay');
    assert.equal(await checkBack(deps, second.paymentId), 'UNKNOWN', 'the new payment has the deadline');
    await sweepOverduePayments(deps, 0);
    assert.deepEqual(tags(store), []);
  });

  it('a replaced payment nobody scanned is settled by the sweeper until its channel says it is dead, without announcing pay.closed', async () => {
    const { deps, store, pay } = twoChannels();
    const first = created(await pay('ALIPAY_QR'));
    created(await pay('WECHAT_NATIVE'));
    assert.deepEqual(await sweepOverduePayments(deps, 60_000), { paid: 0, closed: 0, open: 1 }, 'swept although before its deadline: replaced');
    const row = (await store.findPayment(first.paymentId))!;
    row.expires_at = new Date(Date.now() - 60_000); // past time_expire and the margin: the QR code is dead
    store.row(first.paymentId).expires_at = row.expires_at;
    assert.deepEqual(await sweepOverduePayments(deps, 0), { paid: 0, closed: 1, open: 0 });
    assert.equal((await store.findPayment(first.paymentId))!.status, 'CLOSED');
    assert.deepEqual(tags(store), [], 'pay.closed would cancel the order');
  });

  it('a switch asked for a payment its channel took meanwhile applies that payment instead of opening another', async () => {
    const { store, alipay, order, pay } = twoChannels();
    const first = created(await pay('ALIPAY_QR'));
    alipay.pay(first.paymentId); // paid, its notification not there yet
    const answer = created(await pay('WECHAT_NATIVE'));
    assert.deepEqual([answer.paymentId, answer.status, answer.channel], [first.paymentId, 'PAID', 'ALIPAY_QR']);
    assert.equal((await store.listOfOrder(order.orderId)).length, 1);
    assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED]);
  });

  it('no switch for a cancelled order or past the deadline: the payment stays as it was', async () => {
    const { store, orders, order, pay } = twoChannels();
    const first = created(await pay('ALIPAY_QR'));
    orders.orders.get(order.orderId)!.status = 'CANCELLED';
    const refused = await pay('WECHAT_NATIVE');
    assert.ok(refused instanceof DomainError && refused.code === ErrorCode.ORDER_STATE);
    const late = twoChannels();
    const lateFirst = created(await late.pay('ALIPAY_QR'));
    late.store.row(lateFirst.paymentId).expires_at = new Date(Date.now() + 1_000);
    const tooLate = await late.pay('WECHAT_NATIVE');
    assert.ok(tooLate instanceof DomainError && tooLate.code === ErrorCode.ORDER_STATE);
    assert.deepEqual(
      [...(await store.listOfOrder(order.orderId)), ...(await late.store.listOfOrder(late.order.orderId))].map((row) => [row.id, row.superseded_at]),
      [
        [first.paymentId, null],
        [lateFirst.paymentId, null],
      ],
    );
  });

  it('at the deadline, money that landed on a replaced payment pays the order', async () => {
    const { deps, alipay, order, pay } = twoChannels();
    const first = created(await pay('ALIPAY_QR'));
    created(await pay('WECHAT_NATIVE'));
    alipay.pay(first.paymentId); // notification lost
    assert.deepEqual(await settleOrderPayment(deps, order.orderId), { settlement: 'PAID', paymentId: first.paymentId });
  });

  it('a channel whose gateway fails is marked down: 503 CHANNEL_UNAVAILABLE naming the others, which still take the payment', async () => {
    const { deps, wechat, alipay, pay } = twoChannels();
    wechat.fail('createQr', 'down');
    const refused = await pay('WECHAT_NATIVE');
    assert.ok(refused instanceof DomainError);
    assert.equal(refused.code, ErrorCode.CHANNEL_UNAVAILABLE);
    assert.match(refused.message, /WeChat Pay is not answering\. Open channels: ALIPAY_QR/);
    assert.deepEqual(
      deps.channels.optionsFor('48.00').map((option) => [option.channel, option.available]),
      [
        ['ALIPAY_QR', true],
        ['WECHAT_NATIVE', false],
      ],
    );
    const again = await pay('WECHAT_NATIVE');
    assert.ok(again instanceof DomainError && again.code === ErrorCode.CHANNEL_UNAVAILABLE);
    assert.equal(wechat.callsOf('createQr').length, 1, 'a channel marked down is not asked again for a while');
    assert.equal(created(await pay('ALIPAY_QR')).channel, 'ALIPAY_QR');
    assert.equal(alipay.callsOf('precreate').length, 1);
  });

  it('channel rules: switched off, above its amount limit, down for a while only', () => {
    let now = 0;
    const channels = new ChannelRegistry(
      [new FakeWechatPay(), { ...new FakeWechatPay(), name: 'ALIPAY_QR', title: 'Alipay' } as never],
      { enabled: ['WECHAT_NATIVE'], maxAmount: { WECHAT_NATIVE: '100.00' }, downForMs: 1_000 },
      silent,
      () => now,
    );
    const reasons = (amount: string) => channels.optionsFor(amount).map((option) => `${option.channel}:${option.reason || 'open'}`);
    assert.deepEqual(reasons('100.00'), ['WECHAT_NATIVE:open', 'ALIPAY_QR:Alipay is switched off']);
    assert.deepEqual(reasons('100.01'), ['WECHAT_NATIVE:WeChat Pay takes at most 100.00 per payment', 'ALIPAY_QR:Alipay is switched off']);
    channels.markDown('WECHAT_NATIVE', 'SYSTEM_ERROR');
    assert.match(reasons('1.00')[0]!, /not answering/);
    now = 1_001;
    assert.equal(reasons('1.00')[0], 'WECHAT_NATIVE:open');
  });

  it("WeChat Pay's refund answers PROCESSING: the refund waits, and its REFUND.SUCCESS notification finishes it", async () => {
    const { deps, store, wechat, order, orders, refunds, userId, pay } = twoChannels();
    const payment = created(await pay('WECHAT_NATIVE'));
    wechat.pay(payment.paymentId);
    await handleNotification(deps, 'WECHAT_NATIVE', wechat.notification(wechat.paidNotice(payment.paymentId)));
    orders.orders.get(order.orderId)!.status = 'PAID';

    const refund = await requestRefund(deps, { requestId: 'r1', orderId: order.orderId, userId, amount: '10.00', reason: 'too big', items: [] });
    assert.ok(!(refund instanceof DomainError));
    assert.equal(refund.status, 'PENDING');
    assert.match(refund.failureReason, /waiting for WeChat Pay to finish the refund/);
    assert.equal(wechat.refundedOf(payment.paymentId), '0.00');

    // A notification before WeChat finished changes nothing: the runner, woken, asks, hears PROCESSING, waits.
    const early = wechat.notification({ kind: 'REFUND', noticeId: 'r-early', outTradeNo: payment.paymentId, refundId: refund.refundId });
    assert.equal(await handleNotification(deps, 'WECHAT_NATIVE', early), 'ACK');
    assert.equal((await refunds.find(refund.refundId))!.status, 'PENDING');
    assert.equal(wechat.callsOf('refundQuery').length, 1);

    wechat.finishRefunds();
    const done = wechat.notification({ kind: 'REFUND', noticeId: 'r-done', outTradeNo: payment.paymentId, refundId: refund.refundId });
    assert.equal(await handleNotification(deps, 'WECHAT_NATIVE', done), 'ACK');
    const row = (await refunds.find(refund.refundId))!;
    assert.deepEqual([row.status, row.alipay_amount], ['SUCCEEDED', '10.00']);
    assert.deepEqual(wechat.callsOf('refund').length, 1, 'asked once; then only queried');
    assert.equal((await store.findPayment(payment.paymentId))!.refunded_amount, '10.00');
  });

  it('a WeChat Pay refund that ends ABNORMAL fails the refund with the reason; nothing else moved', async () => {
    const { deps, wechat, order, orders, refunds, userId, pay } = twoChannels();
    const payment = created(await pay('WECHAT_NATIVE'));
    wechat.pay(payment.paymentId);
    await handleNotification(deps, 'WECHAT_NATIVE', wechat.notification(wechat.paidNotice(payment.paymentId)));
    orders.orders.get(order.orderId)!.status = 'PAID';
    const refund = await requestRefund(deps, { requestId: 'r2', orderId: order.orderId, userId, amount: '', reason: 'changed my mind', items: [] });
    assert.ok(!(refund instanceof DomainError));
    wechat.finishRefunds('ABNORMAL');
    await handleNotification(
      deps,
      'WECHAT_NATIVE',
      wechat.notification({ kind: 'REFUND', noticeId: 'r', outTradeNo: payment.paymentId, refundId: refund.refundId }),
    );
    const row = (await refunds.find(refund.refundId))!;
    assert.deepEqual([row.status, row.failure_reason], ['FAILED', 'WeChat Pay: WeChat Pay refund ABNORMAL']);
    assert.deepEqual(
      orders.finished.map((finished) => finished.status),
      ['FAILED'],
      'the hold ends: the order keeps what it had',
    );
  });
});
