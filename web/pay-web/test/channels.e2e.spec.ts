/**
 * Payments through each channel end to end: the same journeys for Alipay and WeChat Pay Native,
 * against the local gateways (the pay service speaking to them through the unmodified alipay-sdk
 * and wechatpay-axios-plugin): paid with a notification, with repeated ones, with none (found by
 * the check-back), closed at the deadline with the order cancelled, refunds partial then full
 * (WeChat's PROCESSING then REFUND.SUCCESS), a refund refused for good, reconciliation of the
 * day's bill. Then what only two channels have: switching on an open payment (money landing on
 * the first trade afterwards is refunded: never kept twice), a channel whose gateway fails marked
 * down with 503 CHANNEL_UNAVAILABLE naming the other. Needs the system running with
 * SHOP_PROFILE=test (`npm test` starts it): 20 s to pay.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aesGcmEncrypt, answerMessage, randomAlphanumeric, rsaSign } from '../../wechatpay-gateway/src/wechat-crypto';
import { sleep } from '../../../common/test/support/infra';
import { withSystem } from '../../order-web/test/support/end-to-end';
import type { SystemState } from '../../order-web/test/support/system-state';
import { CHANNELS, channelsOf, driverOf, payThrough, WECHAT_GATEWAY, wechatPay, type ChannelDriver } from './support/channels';
import { confirmedOrder, until } from './support/fixtures';
import { buyerScans, http, PAY_WEB } from './support/pay-api';

const WECHAT_KEYS = path.resolve(__dirname, '../../../var/wechatpay');

/** WeChat Pay's notification of a resource, signed and encrypted as the given keys make it (the gateway's by default). */
function wechatNotification(
  resource: Record<string, unknown>,
  options: { signWith?: KeyObject; serial?: string; apiV3Key?: string; timestamp?: number; eventType?: string } = {},
): { headers: Record<string, string>; body: string } {
  const key = (file: string) => readFileSync(path.join(WECHAT_KEYS, file), 'utf8');
  const ids = JSON.parse(key('ids.json')) as { publicKeyId: string };
  const encrypted = aesGcmEncrypt(JSON.stringify(resource), options.apiV3Key ?? key('apiv3_key.txt').trim(), 'transaction');
  const body = JSON.stringify({
    id: `EV-${randomAlphanumeric(16)}`,
    create_time: new Date().toISOString(),
    resource_type: 'encrypt-resource',
    event_type: options.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ...encrypted, associated_data: 'transaction' },
  });
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = randomAlphanumeric(32);
  const signWith = options.signWith ?? createPrivateKey(key('wechatpay_pub_key_private.pem'));
  return {
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': options.serial ?? ids.publicKeyId,
      'wechatpay-signature': rsaSign(answerMessage(timestamp, nonce, body), signWith),
    },
    body,
  };
}

const postWechat = (notification: { headers: Record<string, string>; body: string }) =>
  fetch(`${PAY_WEB}/api/v1/notify/wechatpay`, { method: 'POST', headers: notification.headers, body: notification.body });

/** Both gateways' bills count China-time days (UTC+8). */
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('payments through each channel end to end (pay-web, both gateways, RocketMQ)', function () {
  this.timeout(180_000);
  let admin: string;
  let state: SystemState;
  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  const orderStatus = async (orderId: string) => (await state.order(orderId))?.status;

  for (const channel of CHANNELS) {
    describe(channel.title, () => {
      /** A confirmed order (50.00 left to pay) and its payment through the channel. */
      async function openPayment() {
        const order = await confirmedOrder(admin);
        const created = await payThrough(order.customer.token, order.orderId, channel.channel);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.deepEqual([created.body.channel, created.body.status, created.body.amount], [channel.channel, 'UNPAID', '50.00']);
        return { ...order, paymentId: created.body.paymentId as string, created: created.body };
      }

      /** A payment paid at the gateway and recorded here (the order PAID). */
      async function openPaid() {
        const payment = await openPayment();
        assert.equal((await channel.pay(payment.paymentId)).status, 200);
        await until('the payment', async () => (await state.payment(payment.paymentId))?.status === 'PAID');
        return payment;
      }

      async function paid(notify: 'normal' | 'none' = 'normal') {
        const payment = await openPayment();
        assert.equal((await channel.pay(payment.paymentId, notify)).status, 200);
        await until('the order to be PAID', async () => (await orderStatus(payment.orderId)) === 'PAID');
        await until('the points', async () => (await state.points(payment.customer.userId)) === '70');
        return payment;
      }

      it('paid with a notification: the order PAID, points once, the payment of that channel', async () => {
        const { customer, orderId, paymentId, created } = await paid();
        assert.match(created.qrCode, channel.channel === 'WECHAT_NATIVE' ? /^weixin:\/\/wxpay\/bizpayurl\?pr=/ : /\/cashier\//);
        assert.match(created.qrImage, /^data:image\/svg\+xml/);
        const again = await payThrough(customer.token, orderId, channel.channel);
        assert.deepEqual([again.body.paymentId, again.body.status], [paymentId, 'PAID'], 'asking again answers the same payment');
        const view = await http('GET', `${PAY_WEB}/api/v1/payments/${paymentId}`, { token: customer.token });
        assert.deepEqual(view.body, { paymentId, orderId, amount: '50.00', status: 'PAID', channel: channel.channel });
        assert.equal((await channel.trade(paymentId))?.state, 'PAID');
        assert.equal(await state.balance(customer.userId), '30.00');
        await until('the payment log', async () => (await state.payLog(paymentId)).includes('PAID'));
        await sleep(1_000);
        assert.equal(await state.points(customer.userId), '70', 'repeats and retries added nothing');
      });

      it('its notification lost: the check-back finds the payment at the gateway', async () => {
        const { paymentId } = await paid('none');
        assert.equal((await state.payment(paymentId))?.status, 'PAID');
      });

      // Alipay's (a QR code nobody scanned, dead after time_expire and the margin): cancel-races.e2e.
      if (channel.channel === 'WECHAT_NATIVE')
        it('never paid: closed at the gateway after the deadline, the order CANCELLED and its balance back', async () => {
          const { customer, orderId, paymentId } = await openPayment();
          await until('the order to be CANCELLED', async () => (await orderStatus(orderId)) === 'CANCELLED', 120_000);
          await until('the payment to be CLOSED', async () => (await state.payment(paymentId))?.status === 'CLOSED');
          const atGateway = await channel.trade(paymentId);
          // Alipay knows no trade of a QR code nobody scanned: it died at its time_expire.
          assert.ok(atGateway === undefined || atGateway.state !== 'PAID', JSON.stringify(atGateway));
          await until('the balance back', async () => (await state.balance(customer.userId)) === '50.00');
          assert.equal((await channel.pay(paymentId)).status, 409, 'the buyer can no longer pay it');
        });

      it('refunds, partial then full: through the channel first, then the balance; the order REFUNDED', async () => {
        const { customer, orderId, paymentId } = await paid();
        const refund = (json: unknown, key: string) =>
          http('POST', `${PAY_WEB}/api/v1/orders/${orderId}/refund`, { token: customer.token, json, headers: { 'idempotency-key': key } });
        const finished = async (refundId: string) => {
          await until(`refund ${refundId} to finish`, async () =>
            (await state.refunds(orderId)).some((row) => row.id === refundId && row.status === 'SUCCEEDED'),
          );
        };

        const partial = await refund({ amount: '15.50', reason: 'one item damaged' }, `p1-${channel.channel}`);
        // WeChat Pay answers PROCESSING: the refund waits (202 PENDING) for its REFUND.SUCCESS notification.
        if (channel.channel === 'WECHAT_NATIVE') assert.deepEqual([partial.status, partial.body.status], [202, 'PENDING'], JSON.stringify(partial.body));
        else assert.deepEqual([partial.status, partial.body.status], [201, 'SUCCEEDED'], JSON.stringify(partial.body));
        await finished(partial.body.refundId);
        assert.deepEqual((await channel.trade(paymentId))?.refunds, { [partial.body.refundId]: '15.50' });
        assert.equal(await state.points(customer.userId), '55');
        assert.equal(await orderStatus(orderId), 'PAID');

        const full = await refund({ reason: 'changed my mind' }, `p2-${channel.channel}`);
        assert.ok([201, 202].includes(full.status), JSON.stringify(full.body));
        await finished(full.body.refundId);
        const atGateway = (await channel.trade(paymentId))!;
        assert.deepEqual([atGateway.refunded, atGateway.refunds[full.body.refundId]], ['50.00', '34.50']);
        assert.equal(await state.balance(customer.userId), '50.00');
        assert.equal(await state.points(customer.userId), '0');
        await until('the order to be REFUNDED', async () => (await orderStatus(orderId)) === 'REFUNDED');
        assert.equal((await state.payment(paymentId))?.status, 'REFUNDED');
      });

      it('a refund whose answer is lost is asked about, never made twice', async () => {
        const { customer, orderId, paymentId } = await paid();
        await channel.fail('refund', 1, 'lose-answer');
        const answer = await http('POST', `${PAY_WEB}/api/v1/orders/${orderId}/refund`, { token: customer.token, json: { reason: 'lost answer' } });
        assert.ok([201, 202].includes(answer.status), JSON.stringify(answer.body));
        await until('the refund to finish', async () => (await state.refunds(orderId)).every((row) => row.status === 'SUCCEEDED'));
        assert.deepEqual(Object.values((await channel.trade(paymentId))!.refunds), ['50.00']);
        await until('the order to be REFUNDED', async () => (await orderStatus(orderId)) === 'REFUNDED');
      });

      it("reconciliation: a planted difference of each type in the channel's bill, named with its channel", async () => {
        const paid: string[] = [];
        for (let i = 0; i < 3; i++) paid.push((await openPaid()).paymentId);
        const date = chinaToday();
        const stranger = `STRANGER-${channel.channel}-${Date.now()}`;
        await channel.tamperBill(date, { drop: [paid[0]!], add: [{ outTradeNo: stranger, amount: '9.99' }], amounts: { [paid[1]!]: '49.00' } });
        const report = await http('GET', `${PAY_WEB}/api/v1/admin/reconciliation?date=${date}`, { token: admin });
        assert.equal(report.status, 200, JSON.stringify(report.body));
        const differences = report.body.differences as { outTradeNo: string }[];
        const of = (outTradeNo: string) => differences.find((difference) => difference.outTradeNo === outTradeNo);
        assert.deepEqual(of(paid[0]!), {
          type: 'LOCAL_ONLY',
          channel: channel.channel,
          outTradeNo: paid[0],
          localAmount: '50.00',
          alipayAmount: '',
          action: '',
        });
        assert.deepEqual(of(stranger), {
          type: 'THIRD_PARTY_ONLY',
          channel: channel.channel,
          outTradeNo: stranger,
          localAmount: '',
          alipayAmount: '9.99',
          action: 'not a payment of this shop',
        });
        assert.deepEqual(of(paid[1]!), {
          type: 'AMOUNT_MISMATCH',
          channel: channel.channel,
          outTradeNo: paid[1],
          localAmount: '50.00',
          alipayAmount: '49.00',
          action: '',
        });
        assert.equal(of(paid[2]!), undefined);
      });

      it("reconciliation: the day's payments of the channel match its bill", async () => {
        const { paymentId } = await paid();
        const report = await http('GET', `${PAY_WEB}/api/v1/admin/reconciliation?date=${chinaToday()}`, { token: admin });
        assert.equal(report.status, 200, JSON.stringify(report.body));
        assert.deepEqual(report.body.unbilledChannels, [], "the test profile serves today's bills");
        const differences = report.body.differences as { outTradeNo: string; channel: string }[];
        assert.equal(
          differences.find((difference) => difference.outTradeNo === paymentId),
          undefined,
          `${paymentId} matched: ${JSON.stringify(differences)}`,
        );
        assert.ok(report.body.matched >= 1);
      });
    });
  }

  it('WeChat Pay notifications: forged, tampered, stale, undecryptable, of another merchant or amount change nothing; the genuine one applies once however often replayed', async () => {
    const order = await confirmedOrder(admin);
    const { paymentId } = (await payThrough(order.customer.token, order.orderId, 'WECHAT_NATIVE')).body as { paymentId: string };
    const resource = (changes: Record<string, unknown> = {}) => ({
      mchid: '1900000109',
      appid: 'wx8888888888888888',
      out_trade_no: paymentId,
      transaction_id: `4200${Date.now()}`,
      trade_type: 'NATIVE',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      success_time: new Date().toISOString(),
      payer: { openid: 'o-test' },
      amount: { total: 5000, payer_total: 5000, currency: 'CNY', payer_currency: 'CNY' },
      ...changes,
    });
    const genuine = wechatNotification(resource()); // signed and encrypted as WeChat would, for a trade not paid at the gateway: never sent whole
    const tamperedBody = { ...genuine, body: genuine.body.replace('"event_type":"TRANSACTION.SUCCESS"', '"event_type":"TRANSACTION.SUCCESS" ') };
    const refused: [string, { headers: Record<string, string>; body: string }][] = [
      ['a forged signature', wechatNotification(resource(), { signWith: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })],
      ['a body changed after signing', tamperedBody],
      ['a timestamp ten minutes old', wechatNotification(resource(), { timestamp: Math.floor(Date.now() / 1000) - 600 })],
      ['an unknown Wechatpay-Serial', wechatNotification(resource(), { serial: 'PUB_KEY_ID_0000000000000000000000000000000' })],
      ['a resource that does not decrypt', wechatNotification(resource(), { apiV3Key: randomBytes(16).toString('hex') })],
      ['another merchant', wechatNotification(resource({ mchid: '1900000999' }))],
      ['another amount', wechatNotification(resource({ amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } }))],
      ['an unknown trade', wechatNotification(resource({ out_trade_no: '123456789012345678' }))],
      ['no headers', { headers: { 'content-type': 'application/json' }, body: genuine.body }],
      ['not JSON', { ...genuine, body: 'not json' }],
    ];
    for (const [what, notification] of refused) {
      const answer = await postWechat(notification);
      assert.equal(answer.status, 400, what);
      assert.deepEqual(await answer.json(), { code: 'FAIL', message: 'notification not accepted' }, what);
    }
    await sleep(1_000);
    assert.equal((await state.payment(paymentId))?.status, 'UNPAID');
    assert.equal(await orderStatus(order.orderId), 'CONFIRMED');
    assert.equal((await wechatPay.trade(paymentId))?.state, 'WAITING');

    // The buyer pays; the gateway's own notification is dropped on its way, and replayed here.
    assert.equal((await http('POST', `${WECHAT_GATEWAY}/sandbox/notifications`, { json: { mode: 'drop' } })).status, 200);
    assert.equal((await wechatPay.pay(paymentId)).status, 200);
    const last = (await http('GET', `${WECHAT_GATEWAY}/sandbox/orders/${paymentId}`)).body.lastNotification as {
      headers: Record<string, string>;
      body: unknown;
    };
    // The sandbox shows the body parsed; the gateway wrote it with JSON.stringify, so this is the exact text it signed.
    const sent = { headers: last.headers, body: JSON.stringify(last.body) };
    for (let i = 0; i < 3; i++) assert.equal((await postWechat(sent)).status, 204, 'applied (or found by the check-back first), then acknowledged again');
    await until('the order to be PAID', async () => (await orderStatus(order.orderId)) === 'PAID');
    await until('the points', async () => (await state.points(order.customer.userId)) === '70');
    await sleep(1_000);
    assert.equal(await state.points(order.customer.userId), '70', 'replays add nothing');
  });

  describe('switching channel and channels down', () => {
    afterEach(async () => {
      for (const channel of CHANNELS) await channel.clearFaults();
    });

    for (const [first, second] of [CHANNELS, [...CHANNELS].reverse()] as [ChannelDriver, ChannelDriver][]) {
      it(`${first.title} then ${second.title}: the first trade closed, money landing on it afterwards refunded; never kept twice`, async () => {
        const order = await confirmedOrder(admin);
        const one = await payThrough(order.customer.token, order.orderId, first.channel);
        assert.equal(one.status, 201, JSON.stringify(one.body));
        // A scanned Alipay QR code is a trade Alipay can close (one nobody scanned dies at its time_expire).
        if (first.channel === 'ALIPAY_QR') assert.equal((await buyerScans(one.body.paymentId)).status, 200);
        const two = await payThrough(order.customer.token, order.orderId, second.channel);
        assert.equal(two.status, 201, JSON.stringify(two.body));
        assert.notEqual(two.body.paymentId, one.body.paymentId);
        assert.deepEqual(
          (await state.paymentsOfOrder(order.orderId)).map((payment) => [payment.channel, payment.status, Number(payment.superseded)]),
          [
            [first.channel, 'CLOSED', 1],
            [second.channel, 'UNPAID', 0],
          ],
        );
        assert.equal((await first.trade(one.body.paymentId))?.state, 'CLOSED', 'closed at its gateway before the second opened');
        assert.equal((await first.pay(one.body.paymentId)).status, 409, 'the buyer can no longer pay the first');

        assert.equal((await second.pay(two.body.paymentId)).status, 200);
        await until('the order to be PAID', async () => (await orderStatus(order.orderId)) === 'PAID');
        assert.equal(((await state.order(order.orderId)) as { payment_id?: string }).payment_id, two.body.paymentId);
        assert.equal((await second.trade(two.body.paymentId))?.refunded, '0.00');
      });
    }

    it('money landing on a replaced trade its gateway could not close is applied, rejected by the order paid through the other, and refunded', async () => {
      const order = await confirmedOrder(admin);
      const one = await payThrough(order.customer.token, order.orderId, 'WECHAT_NATIVE');
      // WeChat cannot close it for a while (the switch's close, and the sweeper's every 5 s): the trade stays payable.
      await wechatPay.fail('close', 1_000);
      const two = await payThrough(order.customer.token, order.orderId, 'ALIPAY_QR');
      assert.equal(two.status, 201, JSON.stringify(two.body));
      assert.deepEqual(
        (await state.paymentsOfOrder(order.orderId)).map((payment) => [payment.status, Number(payment.superseded)]),
        [
          ['UNPAID', 1],
          ['UNPAID', 0],
        ],
      );
      assert.equal((await driverOf('ALIPAY_QR').pay(two.body.paymentId)).status, 200);
      await until('the order to be PAID', async () => (await orderStatus(order.orderId)) === 'PAID');
      // The buyer still had the WeChat QR code on screen.
      assert.equal((await wechatPay.pay(one.body.paymentId)).status, 200);
      await until('the WeChat payment refunded at its gateway', async () => (await wechatPay.trade(one.body.paymentId))?.refunded === '50.00', 60_000);
      await until('the WeChat payment REFUNDED', async () => (await state.payment(one.body.paymentId))?.status === 'REFUNDED');
      const refunds = await state.refunds(order.orderId);
      assert.deepEqual(
        refunds.map((row) => [row.kind, row.status, row.amount]),
        [['PAYMENT_REJECTED', 'SUCCEEDED', '50.00']],
      );
      assert.equal(((await state.order(order.orderId)) as { payment_id?: string }).payment_id, two.body.paymentId, 'the order keeps the Alipay payment');
      assert.equal((await driverOf('ALIPAY_QR').trade(two.body.paymentId))?.refunded, '0.00');
      assert.equal(await orderStatus(order.orderId), 'PAID');
      assert.equal(await state.points(order.customer.userId), '70', 'points once');
    });

    it('a channel whose gateway fails is marked down: 503 CHANNEL_UNAVAILABLE naming the other, listed as unavailable, back a while later', async () => {
      const order = await confirmedOrder(admin);
      const open = await channelsOf(order.customer.token, order.orderId);
      assert.equal(open.status, 200, JSON.stringify(open.body));
      assert.deepEqual(
        open.body.channels.map((option: { channel: string; available: boolean }) => [option.channel, option.available]),
        [
          ['ALIPAY_QR', true],
          ['WECHAT_NATIVE', true],
        ],
      );
      await wechatPay.fail('create', 5);
      const refused = await payThrough(order.customer.token, order.orderId, 'WECHAT_NATIVE');
      assert.deepEqual([refused.status, refused.body.code], [503, 'CHANNEL_UNAVAILABLE'], JSON.stringify(refused.body));
      assert.match(refused.body.message, /WeChat Pay is not answering\. Open channels: ALIPAY_QR/);
      const listed = (await channelsOf(order.customer.token, order.orderId)).body.channels as { channel: string; available: boolean; reason: string }[];
      const wechat = listed.find((option) => option.channel === 'WECHAT_NATIVE')!;
      // One pay instance knows (each learns from its own calls): with several, another may still try it.
      if (!process.env.SHOP_REPLICAS || process.env.SHOP_REPLICAS === '1')
        assert.deepEqual([wechat.available, wechat.reason], [false, 'WeChat Pay is not answering; try again in a moment']);
      const alipay = await payThrough(order.customer.token, order.orderId, 'ALIPAY_QR');
      assert.deepEqual([alipay.status, alipay.body.channel], [201, 'ALIPAY_QR'], JSON.stringify(alipay.body));
      await wechatPay.clearFaults();
      // PAY_CHANNEL_DOWN_SECONDS is 3 in the test profile.
      await until('WeChat Pay open again', async () =>
        ((await channelsOf(order.customer.token, order.orderId)).body.channels as { available: boolean }[]).every((option) => option.available),
      );
      const back = await payThrough(order.customer.token, order.orderId, 'WECHAT_NATIVE');
      assert.deepEqual([back.status, back.body.channel], [201, 'WECHAT_NATIVE'], JSON.stringify(back.body));
    });

    it('refuses an unknown channel with 400 and changes nothing', async () => {
      const order = await confirmedOrder(admin);
      const answer = await payThrough(order.customer.token, order.orderId, 'PAYPAL' as never);
      assert.deepEqual([answer.status, answer.body.code], [400, 'INVALID_ARGUMENT']);
      assert.deepEqual(await state.paymentsOfOrder(order.orderId), []);
    });
  });
});
