/**
 * Paying end to end: order-web places the order, pay-web creates the payment, the local Alipay
 * gateway (driven through the unmodified alipay-sdk by the pay service) takes the money and
 * notifies, RocketMQ carries pay.succeeded / pay.timeout, the order and user services react.
 * Needs the system running with SHOP_PROFILE=test (`npm test` starts it): 20 s to pay.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rsa2Sign, signContent, generateRsaKeyPair } from '../../alipay-gateway/src/rsa2';
import { sleep } from '../../../common/test/support/infra';
import { newCustomer, newGoods, placeOrder, type Reply } from '../../order-web/test/support/shop-api';
import { withSystem } from '../../order-web/test/support/end-to-end';
import type { SystemState } from '../../order-web/test/support/system-state';
import { until } from './support/fixtures';
import { buyerPays, createPayment, GATEWAY, http, PAY_WEB, trade } from './support/pay-api';

const KEYS = path.resolve(__dirname, '../../../var/alipay');

describe('payment end to end (pay-web, Alipay gateway, RocketMQ)', function () {
  this.timeout(180_000);
  let admin: string;
  let state: SystemState;

  const notify = (form: Record<string, string>) => http('POST', `${PAY_WEB}/api/v1/notify/alipay`, { form });
  const orderStatus = async (orderId: string) => (await state.order(orderId))?.status;

  /** A customer (balance 50.00) with a confirmed order: 2 x 30.00 + 10.00 shipping, 20.00 paid by balance, 50.00 left to pay. */
  async function confirmedOrder(options: { coupon?: string } = {}) {
    const goodsId = await newGoods(admin, '30.00', 10);
    const customer = await newCustomer(admin, { balance: '50.00', coupons: options.coupon ? [options.coupon] : [] });
    const placed = await placeOrder(customer.token, {
      items: [{ goodsId, quantity: 2 }],
      balance: '20.00',
      ...(options.coupon && { couponId: customer.couponIds[0] }),
    });
    assert.equal(placed.body.status, 'CONFIRMED', JSON.stringify(placed.body));
    return { goodsId, customer, order: placed.body as { orderId: string; payAmount: string; balancePaid: string } };
  }

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  it('paid with a normal notify: order PAID, points added once, payment logged', async () => {
    const { customer, order } = await confirmedOrder();
    assert.equal(order.payAmount, '50.00');
    const created = await createPayment(customer.token, order.orderId);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.amount, created.body.status, created.body.orderId], ['50.00', 'UNPAID', order.orderId]);
    assert.match(created.body.qrCode, /\/cashier\//);
    const again = await createPayment(customer.token, order.orderId);
    assert.equal(again.body.paymentId, created.body.paymentId, 'one payment per order');

    assert.equal((await buyerPays(created.body.paymentId, 'normal')).status, 200);
    await until('the order to be PAID', async () => (await orderStatus(order.orderId)) === 'PAID');
    await until('the points', async () => (await state.points(customer.userId)) === '70');
    assert.equal((await state.payment(created.body.paymentId))?.status, 'PAID');
    await until('the payment log', async () => (await state.payLog(created.body.paymentId)).includes('PAID'));
    const view = await http('GET', `${PAY_WEB}/api/v1/payments/${created.body.paymentId}`, { token: customer.token });
    assert.deepEqual(view.body, { paymentId: created.body.paymentId, orderId: order.orderId, amount: '50.00', status: 'PAID', channel: 'ALIPAY_QR' });
    assert.equal(await state.balance(customer.userId), '30.00');
  });

  it('20 duplicate notifies: the same result, points once', async () => {
    const { customer, order } = await confirmedOrder();
    const { paymentId } = (await createPayment(customer.token, order.orderId)).body;
    await buyerPays(paymentId, 'duplicate');
    await until('the first notification', async () => (await trade(paymentId)).lastNotification !== null);
    const form = (await trade(paymentId)).lastNotification as Record<string, string>;
    const answers = await Promise.all(Array.from({ length: 20 }, () => notify(form)));
    assert.ok(answers.every((answer) => answer.body === 'success'));
    await until('the order to be PAID', async () => (await orderStatus(order.orderId)) === 'PAID');
    await until('the points', async () => (await state.points(customer.userId)) === '70');
    await sleep(2_000);
    assert.equal(await state.points(customer.userId), '70');
    assert.deepEqual(
      (await state.payLog(paymentId)).filter((event) => event === 'PAID'),
      ['PAID'],
    );
  });

  it('notify lost: the check-back finds the payment at Alipay and the order becomes PAID', async () => {
    const { customer, order } = await confirmedOrder();
    const { paymentId } = (await createPayment(customer.token, order.orderId)).body;
    await buyerPays(paymentId, 'none');
    await until('the order to be PAID', async () => (await orderStatus(order.orderId)) === 'PAID');
    assert.equal((await state.payment(paymentId))?.status, 'PAID');
    assert.deepEqual((await trade(paymentId)).notifications, []);
  });

  it('a payment racing the close: PAID, or CANCELLED with the money refunded; never money kept for a cancelled order', async () => {
    const { customer, order } = await confirmedOrder();
    const { paymentId, expiresAt } = (await createPayment(customer.token, order.orderId)).body;
    await sleep(Math.max(0, new Date(expiresAt).getTime() - Date.now() - 150));
    await buyerPays(paymentId, 'none');
    await until('the order to settle', async () => ['PAID', 'CANCELLED'].includes((await orderStatus(order.orderId)) ?? ''));
    const settled = await orderStatus(order.orderId);
    const atAlipay = await trade(paymentId);
    if (settled === 'PAID') {
      assert.equal(atAlipay.status, 'TRADE_SUCCESS');
    } else if (atAlipay.status === 'TRADE_CLOSED' && Object.keys(atAlipay.refunds).length > 0) {
      assert.deepEqual(Object.values(atAlipay.refunds), ['50.00'], 'paid then refunded in full');
      await until('the payment to be REFUNDED', async () => (await state.payment(paymentId))?.status === 'REFUNDED');
    } else {
      // The buyer came too late: the QR code had died (never scanned) or the trade was closed.
      assert.ok(['TRADE_CLOSED', 'NOT_SCANNED'].includes(atAlipay.status), `closed before the buyer could pay, not ${atAlipay.status}`);
      assert.deepEqual(atAlipay.refunds, {});
    }
  });

  it('forged signature, wrong amount, wrong app id, unknown trade: failure and no change', async () => {
    const { customer, order } = await confirmedOrder();
    const { paymentId } = (await createPayment(customer.token, order.orderId)).body;
    const gatewayKey = readFileSync(path.join(KEYS, 'alipay-private-key.pem'), 'utf8');
    const form = (fields: Record<string, string>, key = gatewayKey) => {
      const base = {
        notify_time: '2026-11-22 10:00:00',
        notify_type: 'trade_status_sync',
        notify_id: `n${Date.now()}`,
        app_id: '2021000000000001',
        charset: 'utf-8',
        version: '1.0',
        sign_type: 'RSA2',
        trade_no: '2026112222001999',
        out_trade_no: paymentId,
        trade_status: 'TRADE_SUCCESS',
        total_amount: '50.00',
        ...fields,
      };
      return { ...base, sign: rsa2Sign(signContent(base, ['sign', 'sign_type']), key) };
    };
    const forged = form({}, generateRsaKeyPair().privateKey);
    const tampered = { ...form({}), total_amount: '0.01' };
    for (const [what, fields] of [
      ['forged signature', forged],
      ['tampered after signing', tampered],
      ['wrong amount', form({ total_amount: '0.01' })],
      ['wrong app id', form({ app_id: '2021000000009999' })],
      ['unknown trade', form({ out_trade_no: '123456789012345678' })],
      ['not a number trade', form({ out_trade_no: 'abc' })],
      ['unsigned', { out_trade_no: paymentId, trade_status: 'TRADE_SUCCESS', total_amount: '50.00' }],
      ['a sign_type the SDK does not know', { ...form({}), sign_type: 'XYZ' }],
    ] as const) {
      const answer = await notify(fields as Record<string, string>);
      assert.deepEqual([answer.status, answer.body], [200, 'failure'], what);
    }
    const json = await http('POST', `${PAY_WEB}/api/v1/notify/alipay`, { json: { out_trade_no: paymentId } });
    assert.equal(json.body, 'failure');
    await sleep(1_000);
    assert.equal((await state.payment(paymentId))?.status, 'UNPAID');
    assert.equal(await orderStatus(order.orderId), 'CONFIRMED');
    assert.equal(await state.points(customer.userId), '0');
    // The genuine form still works: the refusals left nothing behind.
    assert.equal((await notify(form({}))).body, 'success');
    await until('the order to be PAID', async () => (await orderStatus(order.orderId)) === 'PAID');
  });

  it('refunds, partial then full: Alipay first, then balance; points back; the order REFUNDED', async () => {
    const { customer, order } = await confirmedOrder();
    const { paymentId } = (await createPayment(customer.token, order.orderId)).body;
    await buyerPays(paymentId, 'normal');
    await until('the points', async () => (await state.points(customer.userId)) === '70');
    const refund = (json: unknown, key: string) =>
      http('POST', `${PAY_WEB}/api/v1/orders/${order.orderId}/refund`, { token: customer.token, json, headers: { 'idempotency-key': key } });

    const partial = await refund({ amount: '15.50', reason: 'one item damaged' }, 'p1');
    assert.equal(partial.status, 201, JSON.stringify(partial.body));
    assert.equal(partial.body.status, 'SUCCEEDED');
    assert.deepEqual(Object.values((await trade(paymentId)).refunds), ['15.50']);
    assert.equal(await state.balance(customer.userId), '30.00');
    assert.equal(await state.points(customer.userId), '55');
    assert.equal(await orderStatus(order.orderId), 'PAID');

    const tooMuch = await refund({ amount: '54.51', reason: 'too much' }, 'p2');
    assert.deepEqual([tooMuch.status, tooMuch.body.code], [400, 'INVALID_ARGUMENT']);

    const full = await refund({ reason: 'changed my mind' }, 'p3');
    assert.equal(full.body.status, 'SUCCEEDED');
    assert.deepEqual(Object.values((await trade(paymentId)).refunds).sort(), ['15.50', '34.50']);
    assert.equal((await trade(paymentId)).status, 'TRADE_CLOSED');
    assert.equal(await state.balance(customer.userId), '50.00');
    assert.equal(await state.points(customer.userId), '0', 'a full refund takes back every point the order gave');
    await until('the order to be REFUNDED', async () => (await orderStatus(order.orderId)) === 'REFUNDED');
    assert.equal((await state.payment(paymentId))?.status, 'REFUNDED');
  });

  it('reconciliation finds a planted difference of each type', async () => {
    const paid: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { customer, order } = await confirmedOrder();
      const { paymentId } = (await createPayment(customer.token, order.orderId)).body;
      await buyerPays(paymentId, 'normal');
      await until('the payment', async () => (await state.payment(paymentId))?.status === 'PAID');
      paid.push(paymentId);
    }
    // Alipay's bill counts days in China time (UTC+8).
    const date = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    await http('POST', `${GATEWAY}/sandbox/bills/${date}/tamper`, {
      json: { drop: [paid[0]], add: [{ outTradeNo: 'STRANGER-1', amount: '9.99' }], amounts: { [paid[1]!]: '49.00' } },
    });
    const report = await http('GET', `${PAY_WEB}/api/v1/admin/reconciliation?date=${date}`, { token: admin });
    assert.equal(report.status, 200, JSON.stringify(report.body));
    const differences = report.body.differences as { type: string; outTradeNo: string; localAmount: string; alipayAmount: string }[];
    assert.deepEqual(
      differences.find((d) => d.outTradeNo === paid[0]),
      { type: 'LOCAL_ONLY', channel: 'ALIPAY_QR', outTradeNo: paid[0], localAmount: '50.00', alipayAmount: '', action: '' },
    );
    assert.deepEqual(
      differences.find((d) => d.outTradeNo === 'STRANGER-1'),
      { type: 'THIRD_PARTY_ONLY', channel: 'ALIPAY_QR', outTradeNo: 'STRANGER-1', localAmount: '', alipayAmount: '9.99', action: 'not a payment of this shop' },
    );
    assert.deepEqual(
      differences.find((d) => d.outTradeNo === paid[1]),
      { type: 'AMOUNT_MISMATCH', channel: 'ALIPAY_QR', outTradeNo: paid[1], localAmount: '50.00', alipayAmount: '49.00', action: '' },
    );
    assert.equal(
      differences.find((d) => d.outTradeNo === paid[2]),
      undefined,
    );
    assert.ok(report.body.matched >= 1);
  });

  it("another user's order or payment answers 404; a customer cannot reconcile", async () => {
    const { customer, order } = await confirmedOrder();
    const other = await newCustomer(admin);
    const { paymentId } = (await createPayment(customer.token, order.orderId)).body;
    const expect404 = (reply: Reply, what: string) => assert.deepEqual([reply.status, reply.body.code], [404, 'NOT_FOUND'], what);
    expect404(await createPayment(other.token, order.orderId), "payment for another user's order");
    expect404(await http('GET', `${PAY_WEB}/api/v1/payments/${paymentId}`, { token: other.token }), "another user's payment");
    expect404(
      await http('POST', `${PAY_WEB}/api/v1/orders/${order.orderId}/refund`, { token: other.token, json: { reason: 'mine now' } }),
      "refund of another user's order",
    );
    const reconcile = await http('GET', `${PAY_WEB}/api/v1/admin/reconciliation?date=2026-01-01`, { token: customer.token });
    assert.deepEqual([reconcile.status, reconcile.body.code], [403, 'FORBIDDEN']);
    // A day the calendar does not have (found by the fuzzer: MySQL refused it after Alipay's bill was fetched: 500).
    const impossible = await http('GET', `${PAY_WEB}/api/v1/admin/reconciliation?date=2026-02-30`, { token: admin });
    assert.deepEqual([impossible.status, impossible.body.code], [400, 'INVALID_ARGUMENT']);
    const unauthenticated = await http('POST', `${PAY_WEB}/api/v1/payments`, { json: { orderId: order.orderId, channel: 'ALIPAY_QR' } });
    assert.deepEqual([unauthenticated.status, unauthenticated.body.code], [401, 'UNAUTHENTICATED']);
    assert.equal((await state.payment(paymentId))?.status, 'UNPAID');
  });
});
