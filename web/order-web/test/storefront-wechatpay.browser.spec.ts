/**
 * Choosing how to pay in the storefront (Alipay or WeChat Pay), at 1280x800 and 390x844 in
 * headless Chromium against the running system (the test profile gives an order 20 s to be
 * paid): paid with WeChat Pay at the local WeChat Pay gateway (the page shows WeChat's code_url,
 * a weixin:// link only the app opens: the buyer's side is the gateway's cashier page of its pr
 * token); a switch from Alipay to WeChat Pay, the new payment watched (remembered,
 * asked again after a reload) and the Alipay trade never paid; a channel pay-web refuses (503
 * CHANNEL_UNAVAILABLE) said in words with the other one offered; a closed channel disabled with
 * its reason, in both languages. Screenshots in test-artifacts/storefront/ (desktop-* and phone-*).
 */
import assert from 'node:assert/strict';
import type { Page, Request, Route } from 'playwright-core';
import { WECHAT_GATEWAY } from '../../pay-web/test/support/channels';
import { GATEWAY as ALIPAY_GATEWAY, PAY_WEB } from '../../pay-web/test/support/pay-api';
import {
  checkPage,
  expectFocusedInView,
  expectPlainWords,
  namedGoods,
  readStorage,
  requestsTo,
  signedIn,
  VIEWPORTS,
  withStorefront,
  type BrowserSession,
} from './support/browser';
import { BASE_URL, newCustomer, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

type Channel = 'ALIPAY_QR' | 'WECHAT_NATIVE';

/** What the page remembers of a payment it started (localStorage shop.payments, by order id). */
interface Remembered {
  until: string;
  paymentId: string;
  channel: Channel;
}

async function remembered(page: Page): Promise<Record<string, Remembered> | null> {
  const text = await readStorage(page, 'shop.payments');
  return text === null ? null : (JSON.parse(text) as Record<string, Remembered>);
}

/** The payment the page shows: its id and channel (the panel's data), once its QR code is drawn. */
async function shownPayment(page: Page, channel: Channel): Promise<string> {
  const panel = await page.waitForSelector(`#payment-panel[data-channel="${channel}"]`);
  const qr = await page.waitForSelector('#qr-image');
  assert.ok((await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0, 'the QR code is drawn');
  return (await panel.getAttribute('data-payment'))!;
}

/** The pr token of the WeChat Pay code the page shows (weixin://wxpay/bizpayurl?pr=<token>). */
async function wechatToken(page: Page): Promise<string> {
  const code = (await page.textContent('#qr-code-text')) ?? '';
  const token = /^weixin:\/\/wxpay\/bizpayurl\?pr=([A-Za-z0-9_-]+)$/.exec(code)?.[1];
  assert.ok(token, `a WeChat Pay code_url: ${code}`);
  return token;
}

/**
 * The buyer scans the code in WeChat: the local WeChat Pay gateway's cashier page of its pr token
 * shows the order and a Pay button, which the buyer presses; the page then shows the order paid.
 */
async function payAtWechatCashier(session: BrowserSession, token: string, paymentId: string, amount: string, shot?: string): Promise<void> {
  const cashier = await session.context.newPage();
  await cashier.goto(`${WECHAT_GATEWAY}/cashier/${token}`);
  assert.equal(await cashier.textContent('#amount'), `¥ ${amount}`);
  assert.equal(await cashier.textContent('#out-trade-no'), paymentId, 'the code is of the payment the page shows');
  assert.equal(await cashier.textContent('#status'), 'NOTPAY');
  await Promise.all([cashier.waitForNavigation(), cashier.click('#pay')]);
  await cashier.waitForSelector('#status:text-is("SUCCESS")');
  assert.match((await cashier.textContent('body')) ?? '', /Paid\. You can close this page\./);
  if (shot) await session.shot(shot, cashier);
  await cashier.close();
}

/** Answers the page's requests to pay-web's `path` (method `method`) with `answer`; the CORS preflight goes through. */
async function answerPayWeb(
  page: Page,
  method: string,
  path: string,
  answer: (request: Request) => { status: number; json: unknown } | undefined,
): Promise<void> {
  await page.route(
    (url) => url.origin === PAY_WEB && url.pathname === path,
    async (route: Route, request: Request) => {
      const reply = request.method() === method ? answer(request) : undefined;
      if (!reply) return route.continue();
      await route.fulfill({
        status: reply.status,
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': BASE_URL, vary: 'Origin' },
        body: JSON.stringify(reply.json),
      });
    },
  );
}

for (const viewport of VIEWPORTS) {
  describe(`storefront paying with WeChat Pay at ${viewport.width}x${viewport.height} (${viewport.name})`, function () {
    this.timeout(120_000);
    const session = withStorefront({ viewport, prefix: `${viewport.name}-` });
    const page = () => session.page;
    let admin: string;
    let state: SystemState;
    beforeEach(() => ({ admin, state } = session));

    /** A new customer's unpaid order of one goods at `price`, the customer signed in and the order page shown with the choice of how to pay. */
    async function unpaidOrderShown(label: string, price: string) {
      const goods = await namedGoods(admin, label, price, 3);
      const customer = await newCustomer(admin);
      const order = (await placeOrder(customer.token, { items: [{ goodsId: goods.goodsId, quantity: 1 }] })).body;
      assert.equal(order.status, 'CONFIRMED');
      await signedIn(session.context, customer.token);
      const channelsAnswered = page().waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/payments/channels');
      await page().goto(`${BASE_URL}/#/orders/${order.orderId}`);
      await page().waitForSelector('#order-status[data-status="CONFIRMED"]');
      assert.equal((await channelsAnswered).status(), 200);
      return { order, customer };
    }

    it('the customer chooses WeChat Pay, sees its QR code, pays at the WeChat Pay cashier and the order turns PAID through WECHAT_NATIVE', async () => {
      const payments = requestsTo(page(), 'POST', /^\/api\/v1\/payments$/);
      const { order } = await unpaidOrderShown('Teapot', '38.00');

      // Both ways to pay on offer, Alipay chosen first; the Pay button names the one chosen.
      assert.equal(await page().textContent('#pay-channels legend'), 'How to pay');
      assert.ok(await page().isChecked('#channel-ALIPAY_QR'));
      assert.ok(await page().isEnabled('#channel-WECHAT_NATIVE'));
      assert.equal(await page().locator('.channel-reason:not([hidden])').count(), 0);
      assert.equal(await page().textContent('#pay-button'), 'Pay with Alipay');
      await page().check('#channel-WECHAT_NATIVE');
      assert.equal(await page().textContent('#pay-button'), 'Pay with WeChat Pay');
      await checkPage(session, 'order with the choice of how to pay', 'wechat-1-choice');

      await page().click('#pay-button');
      const paymentId = await shownPayment(page(), 'WECHAT_NATIVE');
      await expectFocusedInView(page(), '#payment-title');
      assert.equal(await page().textContent('#payment-title'), `Pay ¥${order.payAmount} with WeChat Pay`);
      assert.equal(await page().getAttribute('#qr-image', 'alt'), `WeChat Pay QR code to pay ¥${order.payAmount}`);
      assert.equal(await page().locator('#cashier-link').count(), 0, 'no Alipay cashier link');
      assert.ok((await page().isHidden('#pay-button')) && (await page().isHidden('#pay-channels')));
      assert.equal(await page().textContent('#switch-channel'), 'Pay with Alipay instead');
      assert.deepEqual(
        payments.map((p) => p.body),
        [{ orderId: order.orderId, channel: 'WECHAT_NATIVE' }],
      );
      const kept = await remembered(page());
      assert.deepEqual(Object.keys(kept ?? {}), [order.orderId]);
      assert.equal(kept![order.orderId]!.paymentId, paymentId);
      assert.equal(kept![order.orderId]!.channel, 'WECHAT_NATIVE');
      const token = await wechatToken(page());
      await checkPage(session, 'order with the WeChat Pay QR code', 'wechat-2-qr');

      await payAtWechatCashier(session, token, paymentId, order.payAmount, 'wechat-3-cashier-paid');
      await page().waitForSelector('#order-status[data-status="PAID"]', { timeout: 30_000 });
      assert.match((await page().textContent('#message')) ?? '', /The order is now: Paid/);
      assert.equal(await page().locator('#pay-countdown, #qr-image, #pay-button, #pay-channels').count(), 0);
      assert.equal(await readStorage(page(), 'shop.payments'), null, 'the browser forgets the payment');
      await checkPage(session, 'paid with WeChat Pay', 'wechat-4-paid');

      assert.equal((await state.order(order.orderId))?.status, 'PAID');
      const payment = await state.paymentOfOrder(order.orderId);
      assert.deepEqual([payment?.id, payment?.channel, payment?.status], [paymentId, 'WECHAT_NATIVE', 'PAID']);
    });

    it('switched from Alipay to WeChat Pay: the new payment is the one watched (after a reload too), paid with WeChat; the Alipay trade is never paid', async () => {
      const payments = requestsTo(page(), 'POST', /^\/api\/v1\/payments$/);
      const { order } = await unpaidOrderShown('Tea tin', '16.80');
      await page().click('#pay-button');
      const first = await shownPayment(page(), 'ALIPAY_QR');
      assert.equal(await page().textContent('#payment-title'), `Pay ¥${order.payAmount} with Alipay`);
      // The buyer opens the Alipay code (a scan: the trade exists at Alipay now) and does not pay.
      const [alipayCashier] = await Promise.all([session.context.waitForEvent('page'), page().click('#cashier-link')]);
      await alipayCashier.waitForSelector('#pay');
      await alipayCashier.close();

      await page().click('#switch-channel');
      const second = await shownPayment(page(), 'WECHAT_NATIVE');
      assert.notEqual(second, first, 'a new payment');
      await expectFocusedInView(page(), '#payment-title');
      assert.equal(await page().textContent('#payment-title'), `Pay ¥${order.payAmount} with WeChat Pay`);
      assert.equal(await page().textContent('#message'), 'Now paying with WeChat Pay: scan the new code.');
      assert.equal(await page().locator('#cashier-link').count(), 0);
      assert.equal(await page().getAttribute('#pay-deadline', 'data-state'), 'running', 'the countdown runs on');
      assert.equal((await remembered(page()))?.[order.orderId]?.paymentId, second, 'the new payment is remembered');
      await checkPage(session, 'switched to WeChat Pay', 'wechat-5-switched');

      // A reload asks for the remembered payment again, through its channel: the same WeChat Pay payment.
      await page().reload();
      assert.equal(await shownPayment(page(), 'WECHAT_NATIVE'), second);
      assert.ok(await page().isHidden('#pay-channels'));
      assert.deepEqual(
        payments.map((p) => p.body.channel),
        ['ALIPAY_QR', 'WECHAT_NATIVE', 'WECHAT_NATIVE'],
      );

      await payAtWechatCashier(session, await wechatToken(page()), second, order.payAmount);
      await page().waitForSelector('#order-status[data-status="PAID"]', { timeout: 30_000 });
      assert.equal(await readStorage(page(), 'shop.payments'), null);
      assert.equal((await state.order(order.orderId))?.status, 'PAID');
      const paid = await state.paymentOfOrder(order.orderId);
      assert.deepEqual([paid?.id, paid?.channel, paid?.status], [second, 'WECHAT_NATIVE', 'PAID']);
      const attempts = await state.paymentsOfOrder(order.orderId);
      assert.deepEqual(
        attempts.map((p) => [p.id, p.channel, Boolean(p.superseded)]),
        [
          [first, 'ALIPAY_QR', true],
          [second, 'WECHAT_NATIVE', false],
        ],
      );
      assert.notEqual(attempts[0]!.status, 'PAID');
      const trade = await fetch(`${ALIPAY_GATEWAY}/sandbox/trades/${first}`);
      assert.equal(trade.status, 200);
      const { status } = (await trade.json()) as { status: string };
      assert.notEqual(status, 'TRADE_SUCCESS', 'the Alipay trade was not paid');
    });

    it('a channel pay-web refuses (503 CHANNEL_UNAVAILABLE) is said in words, and the other one is offered and pays', async () => {
      const { order } = await unpaidOrderShown('Tea cup', '9.90');
      await answerPayWeb(page(), 'POST', '/api/v1/payments', (request) =>
        request.postDataJSON()?.channel === 'WECHAT_NATIVE'
          ? { status: 503, json: { code: 'CHANNEL_UNAVAILABLE', message: 'WeChat Pay is not answering; try again in a moment. Open channels: ALIPAY_QR' } }
          : undefined,
      );
      await page().check('#channel-WECHAT_NATIVE');
      await page().click('#pay-button');
      const box = await page().waitForSelector('#payment .error-box[role="alert"]');
      const text = (await box.textContent()) ?? '';
      assert.match(
        text,
        /^WeChat Pay cannot take this payment just now\. It is not answering just now; try again in a moment\. You can pay with Alipay instead\./,
      );
      expectPlainWords(text);
      await expectFocusedInView(page(), '#payment .error-box');
      // WeChat Pay closed for now, its reason under it; Alipay chosen.
      assert.ok(await page().isDisabled('#channel-WECHAT_NATIVE'));
      assert.equal(await page().textContent('#channel-WECHAT_NATIVE-reason'), 'It is not answering just now; try again in a moment.');
      assert.ok(await page().isChecked('#channel-ALIPAY_QR'));
      assert.equal(await page().textContent('#pay-button'), 'Pay with Alipay');
      assert.equal(await page().locator('#qr-image').count(), 0);
      assert.equal(await readStorage(page(), 'shop.payments'), null);
      await checkPage(session, 'WeChat Pay refused, Alipay offered', 'wechat-6-refused');

      await page().click('#pay-instead');
      const paymentId = await shownPayment(page(), 'ALIPAY_QR');
      await expectFocusedInView(page(), '#payment-title');
      assert.equal(await page().locator('#payment .error-box').count(), 0);
      assert.equal((await remembered(page()))?.[order.orderId]?.channel, 'ALIPAY_QR');
      assert.equal((await state.paymentOfOrder(order.orderId))?.id, paymentId);
      assert.equal((await state.paymentOfOrder(order.orderId))?.channel, 'ALIPAY_QR');
    });

    it('a channel pay-web says is closed for the order is disabled with its reason, in English and in Chinese', async () => {
      await answerPayWeb(page(), 'GET', '/api/v1/payments/channels', () => ({
        status: 200,
        json: {
          channels: [
            { channel: 'WECHAT_NATIVE', available: false, reason: 'WeChat Pay takes at most 10.00 per payment' },
            { channel: 'ALIPAY_QR', available: true, reason: '' },
          ],
        },
      }));
      await unpaidOrderShown('Tea tray', '12.00');
      await page().waitForSelector('#channel-WECHAT_NATIVE:disabled');
      assert.equal(await page().textContent('#channel-WECHAT_NATIVE-reason'), 'It takes at most ¥10.00 per payment.');
      assert.equal(await page().getAttribute('#channel-WECHAT_NATIVE', 'aria-describedby'), 'channel-WECHAT_NATIVE-reason');
      assert.ok(await page().isChecked('#channel-ALIPAY_QR'));
      await checkPage(session, 'WeChat Pay closed for this order', 'wechat-7-closed');

      await page().click('#language');
      await page().waitForSelector('#pay-channels legend:text-is("支付方式")');
      await page().waitForSelector('#channel-WECHAT_NATIVE:disabled');
      assert.equal(await page().textContent('#channel-WECHAT_NATIVE-reason'), '单笔最多支付 ¥10.00。');
      assert.equal(await page().textContent('#channel-WECHAT_NATIVE-name'), '微信支付');
      assert.equal(await page().textContent('#pay-button'), '用支付宝付款');
      await checkPage(session, 'WeChat Pay closed, in Chinese', 'wechat-8-closed-zh');
    });
  });
}
