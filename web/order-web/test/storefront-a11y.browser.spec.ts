/**
 * Every page of the storefront in both languages, at 1280x800 and 390x844 in headless Chromium
 * against the running system: axe finds nothing serious or critical, nothing scrolls sideways,
 * each view has its title; and the language is the browser's until the customer switches it.
 * axe's findings of every impact are written to test-artifacts/storefront/axe-<viewport>.json.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  answerDialog,
  ARTIFACTS,
  expectAccessible,
  expectFocusedInView,
  expectNoSidewaysScroll,
  namedGoods,
  putInCart,
  readStorage,
  VIEWPORTS,
  withStorefront,
  writeStorage,
} from './support/browser';
import { BASE_URL, newCustomer, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

for (const viewport of VIEWPORTS) {
  describe(`storefront pages and languages at ${viewport.width}x${viewport.height} (${viewport.name})`, function () {
    this.timeout(120_000);
    const session = withStorefront({ viewport, prefix: `${viewport.name}-` });
    const page = () => session.page;
    let admin: string;
    let state: SystemState;
    beforeEach(() => ({ admin, state } = session));

    it('every page (goods, cart, sign-in, orders, order, dialog, errors) in both languages: axe finds nothing serious, nothing scrolls sideways, each view has its title', async () => {
      const desk = await namedGoods(admin, 'Standing desk with a rather long name for a narrow phone screen', '219.00', 10);
      const chair = await namedGoods(admin, 'Chair', '45.00', 10);
      const customer = await newCustomer(admin, { balance: '500.00', coupons: ['15.00'] });
      const paid = (await placeOrder(customer.token, { items: [{ goodsId: desk.goodsId, quantity: 1 }], balance: '219.00' })).body.orderId;
      const results: Record<string, string[]> = {};
      const titles = new Set<string>();
      const check = async (label: string) => {
        await page().waitForSelector('main h1');
        results[label] = (await expectAccessible(page(), label)).all;
        await expectNoSidewaysScroll(page(), label);
        titles.add(await page().title());
      };

      for (const language of ['en', 'zh-CN']) {
        await page().goto(`${BASE_URL}/#/?q=${encodeURIComponent(desk.name)}`);
        await writeStorage(page(), { 'shop.lang': language, 'shop.token': null, 'shop.guestCart': null });
        await page().reload();
        await page().waitForSelector(`.card[data-goods="${desk.goodsId}"]`);
        await check(`${language} goods`);
        await page().click(`.card[data-goods="${desk.goodsId}"] button.add`);
        await page().goto(`${BASE_URL}/#/cart`);
        await page().waitForSelector(`tr[data-goods="${desk.goodsId}"]`);
        await check(`${language} guest cart`);
        await page().goto(`${BASE_URL}/#/signin`);
        await page().click('#signup-submit');
        await page().waitForSelector('#signup-username-error');
        await check(`${language} sign-in with errors`);
        await session.shot(`a11y-${language}-signin`);

        await writeStorage(page(), { 'shop.guestCart': null, 'shop.token': customer.token });
        await putInCart(customer.token, desk.goodsId, 1);
        await putInCart(customer.token, chair.goodsId, 2);
        await page().goto(`${BASE_URL}/#/cart`);
        await page().reload();
        await page().waitForSelector('#checkout-form');
        await page().click('#place-order');
        // No address yet: the checkout asks for one, and says under each field what it needs.
        await page().waitForSelector('#ship-recipient-error');
        await check(`${language} cart with checkout errors`);
        await session.shot(`a11y-${language}-cart`);
        // A new unpaid order each time, just before it is shown: the test profile cancels it after 20 s.
        const confirmed = (await placeOrder(customer.token, { items: [{ goodsId: chair.goodsId, quantity: 1 }] })).body.orderId;
        await page().goto(`${BASE_URL}/#/orders`);
        await page().waitForSelector(`tr[data-order="${confirmed}"]`);
        await check(`${language} orders`);
        await session.shot(`a11y-${language}-orders`);
        await page().click(`tr[data-order="${confirmed}"] button.cancel`);
        await page().waitForSelector('dialog#confirm[open]');
        results[`${language} cancel dialog`] = (await expectAccessible(page(), `${language} cancel dialog`)).all;
        await answerDialog(page(), 'no');
        // Another unpaid order to pay: the scans above may have spent much of the first one's 20 s.
        const toPay = (await placeOrder(customer.token, { items: [{ goodsId: chair.goodsId, quantity: 1 }] })).body.orderId;
        await page().goto(`${BASE_URL}/#/orders/${toPay}`);
        await page().click('#pay-button');
        await page().waitForSelector('#qr-image');
        await expectFocusedInView(page(), '#payment-title');
        await check(`${language} order with the QR code`);
        await session.shot(`a11y-${language}-order-qr`);
        await page().goto(`${BASE_URL}/#/orders/${paid}`);
        await page().waitForSelector('#refund-form');
        await page().fill('#refund-amount', '999');
        await page().click('#refund-button');
        await page().waitForSelector('#refund-amount-error');
        await check(`${language} paid order with refund error`);
        await session.shot(`a11y-${language}-order-refund`);
      }
      writeFileSync(path.join(ARTIFACTS, `axe-${viewport.name}.json`), `${JSON.stringify(results, null, 2)}\n`);
      // A title per view and language: goods (a search), cart, sign-in, orders, two orders.
      assert.equal(titles.size, 12, [...titles].join(' | '));
      // Nothing was bought, refunded or cancelled by looking.
      assert.equal((await state.order(paid))?.status, 'PAID');
      assert.equal((await state.order(paid))?.refunded_amount, '0.00');
      assert.equal(await state.balance(customer.userId), '281.00');
    });

    it('zh-CN from the browser language, English by the switch; the choice is remembered and <html lang> follows; one table for both', async () => {
      const zh = await session.browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, locale: 'zh-CN' });
      try {
        const tab = await zh.newPage();
        await tab.goto(`${BASE_URL}/#/signin`);
        await tab.waitForSelector('#signin-form h1');
        assert.equal(await tab.getAttribute('html', 'lang'), 'zh-CN');
        assert.equal(await tab.textContent('#signin-form h1'), '登录');
        assert.equal(await tab.title(), '登录 · 商店');
        await tab.click('#signin-submit');
        assert.equal(await tab.textContent('#signin-username-error'), '请输入用户名。');
        await session.shot('language-1-zh', tab);

        await tab.click('#language');
        await tab.waitForSelector('#signin-form h1:text-is("Sign in")');
        assert.equal(await tab.getAttribute('html', 'lang'), 'en');
        await expectFocusedInView(tab, '#language');
        assert.equal(await readStorage(tab, 'shop.lang'), 'en');
        await tab.reload();
        await tab.waitForSelector('#signin-form h1:text-is("Sign in")');
        assert.equal(await tab.getAttribute('html', 'lang'), 'en');
        assert.equal(await tab.textContent('#nav-signin'), 'Sign in');
        await tab.click('#language');
        await tab.waitForSelector('#nav-signin:text-is("登录")');
        assert.equal(await readStorage(tab, 'shop.lang'), 'zh-CN');

        // Both languages have every message, with the same placeholders.
        const tables: Record<string, Record<string, string>> = await tab.evaluate('import("/i18n.js").then((module) => module.MESSAGES)');
        const shape = (table: Record<string, string>) => Object.entries(table).map(([key, text]) => `${key}:${(text.match(/\{\w+\}/g) ?? []).sort().join()}`);
        assert.deepEqual(shape(tables['zh-CN'] ?? {}), shape(tables.en ?? {}));
      } finally {
        await zh.close();
      }
      await page().goto(`${BASE_URL}/`);
      await page().waitForSelector('main h1');
      assert.equal(await page().getAttribute('html', 'lang'), 'en', 'an English browser gets English');
    });
  });
}
