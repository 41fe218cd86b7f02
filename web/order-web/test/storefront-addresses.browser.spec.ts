/**
 * The address book in the storefront, at 1280x800 and 390x844 in headless Chromium against the
 * running system: the page (linked from the header) adds, edits, makes default and deletes
 * (after asking), with the rules said at the fields; the checkout chooses among the addresses
 * (the default first), the order goes to the one chosen and its page shows it, and an address
 * deleted in another tab is said at the choice before Place order. Screenshots in
 * test-artifacts/storefront/ (desktop-* and phone-*).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  addressBook,
  answerDialog,
  checkPage,
  expectFieldError,
  expectFocusedInView,
  namedGoods,
  newAddress,
  putInCart,
  requestsTo,
  signedIn,
  VIEWPORTS,
  withStorefront,
} from './support/browser';
import { BASE_URL, call, newCustomer } from './support/shop-api';
import type { SystemState } from './support/system-state';

/** Fills the address book page's form. */
async function fillAddress(page: Page, fields: { recipient: string; phone: string; region: string; line: string }): Promise<void> {
  for (const [name, value] of Object.entries(fields)) await page.fill(`#address-${name}`, value);
}

/** The book as the page lists it: recipient and whether it is the default, in order. */
async function listed(page: Page): Promise<[string, boolean][]> {
  return page.locator('#address-list li').evaluateAll((rows) =>
    rows.map((row) => {
      const element = row as unknown as { querySelector(css: string): { textContent: string } | null };
      return [element.querySelector('.who')!.textContent.split(' · ')[0]!, element.querySelector('.badge') !== null] as [string, boolean];
    }),
  );
}

for (const viewport of VIEWPORTS) {
  describe(`storefront address book at ${viewport.width}x${viewport.height} (${viewport.name})`, function () {
    this.timeout(120_000);
    const session = withStorefront({ viewport, prefix: `${viewport.name}-` });
    const page = () => session.page;
    let admin: string;
    let state: SystemState;
    beforeEach(() => ({ admin, state } = session));

    it('the address book page: rules at the fields, the first address the default, edit, make default, delete after asking', async () => {
      const customer = await newCustomer(admin);
      await signedIn(session.context, customer.token);
      await page().goto(`${BASE_URL}/#/`);
      await page().click('#nav-addresses');
      await page().waitForURL(/#\/addresses$/);
      await page().waitForSelector('#no-addresses');
      await expectFocusedInView(page(), 'main h1');
      assert.equal(await page().title(), 'Addresses · Shop');
      assert.ok(await page().isChecked('#address-default'), 'the first address is the default');

      // Nothing sent before the rules are met.
      const saves = requestsTo(page(), 'POST', /^\/api\/v1\/addresses$/);
      await page().click('#address-save');
      await expectFieldError(page(), 'address-recipient', /who receives the parcel: 1 to 32/);
      for (const [field, words] of [
        ['phone', /phone number of 6 to 21/],
        ['region', /province, city and district/],
        ['line', /street, building and door/],
      ] as const)
        await expectFieldError(page(), `address-${field}`, words, false);
      await fillAddress(page(), { recipient: 'Ada Home', phone: '12345', region: 'Zhejiang Hangzhou Xihu', line: 'x'.repeat(190) });
      await page().click('#address-save');
      await expectFieldError(page(), 'address-phone', /phone number/);
      await expectFieldError(page(), 'address-line', /at most 199 characters: at most 177 here/, false);
      assert.equal(saves.length, 0);
      await checkPage(session, 'address book with errors', 'addresses-1-errors');

      await fillAddress(page(), { recipient: 'Ada Home', phone: '138 0013 8000', region: 'Zhejiang Hangzhou Xihu', line: '1 Lake Road' });
      await page().click('#address-save');
      await page().waitForSelector('#message:has-text("The address of Ada Home is in your address book.")');
      assert.deepEqual(await listed(page()), [['Ada Home', true]]);
      assert.equal(saves.length, 1);
      assert.ok(saves[0]?.key, 'an Idempotency-Key with the new address');

      // A second one, made the default.
      assert.equal(await page().isChecked('#address-default'), false);
      await fillAddress(page(), { recipient: 'Ada Work', phone: '+86 571 8888 0000', region: 'Zhejiang Hangzhou Binjiang', line: '9 Office Road' });
      await page().check('#address-default');
      await page().click('#address-save');
      await page().waitForSelector('#message:has-text("Ada Work is in your address book")');
      assert.deepEqual(await listed(page()), [
        ['Ada Work', true],
        ['Ada Home', false],
      ]);
      await checkPage(session, 'address book with two addresses', 'addresses-2-list');

      // Edit the home address: the form holds it; saved, the list shows the change.
      await page().click('#address-list li:has-text("Ada Home") button.edit');
      await page().waitForSelector('#address-form-heading:text-is("Edit the address of Ada Home")');
      await expectFocusedInView(page(), '#address-recipient');
      assert.equal(await page().inputValue('#address-line'), '1 Lake Road');
      await page().fill('#address-line', '2 Lake Road');
      await checkPage(session, 'editing an address', 'addresses-3-editing');
      await page().click('#address-save');
      await page().waitForSelector('#message:has-text("The address of Ada Home is saved.")');
      assert.match((await page().textContent('#address-list')) ?? '', /2 Lake Road/);

      // Home made the default again.
      await page().click('#address-list li:has-text("Ada Home") button.make-default');
      await page().waitForSelector('#message:has-text("Ada Home is your default now")');
      assert.deepEqual(await listed(page()), [
        ['Ada Home', true],
        ['Ada Work', false],
      ]);

      // Delete asks first: "keep" keeps it.
      await page().click('#address-list li:has-text("Ada Work") button.delete');
      await checkPage(session, 'delete dialog', 'addresses-4-delete-dialog');
      assert.match(await answerDialog(page(), 'no'), /Ada Work, Zhejiang Hangzhou Binjiang 9 Office Road/);
      assert.equal((await addressBook(customer.token)).length, 2);
      await page().click('#address-list li:has-text("Ada Work") button.delete');
      await answerDialog(page(), 'yes');
      await page().waitForSelector('#message:has-text("The address is deleted.")');
      assert.deepEqual(await listed(page()), [['Ada Home', true]]);
      assert.deepEqual(
        (await addressBook(customer.token)).map((a) => [a.recipient, a.phone, a.region, a.line, a.isDefault]),
        [['Ada Home', '138 0013 8000', 'Zhejiang Hangzhou Xihu', '2 Lake Road', true]],
      );

      await page().click('#language');
      await page().waitForSelector('#address-form-heading:text-is("添加地址")');
      await checkPage(session, 'address book in Chinese', 'addresses-5-zh-CN');
    });

    it('checkout: the default chosen, another one can be; the order goes to it; one added from the checkout comes back chosen; one deleted meanwhile is said at the choice', async () => {
      const teapot = await namedGoods(admin, 'Teapot', '40.00', 10);
      const customer = await newCustomer(admin);
      const home = await newAddress(customer.token, { recipient: 'Ada Home', line: '1 Lake Road' });
      const work = await newAddress(customer.token, { recipient: 'Ada Work', region: 'Zhejiang Hangzhou Binjiang', line: '9 Office Road' });
      await putInCart(customer.token, teapot.goodsId, 1);
      await signedIn(session.context, customer.token);
      const quotes = requestsTo(page(), 'POST', /^\/api\/v1\/orders\/quote$/);
      const placements = requestsTo(page(), 'POST', /^\/api\/v1\/orders$/);

      await page().goto(`${BASE_URL}/#/cart`);
      await page().waitForSelector('#quote[data-state="ready"]');
      assert.ok(await page().isChecked(`#ship-${home.addressId}`), 'the default is chosen');
      assert.equal(quotes.at(-1)?.body.addressId, home.addressId);
      await page().check(`#ship-${work.addressId}`);
      await page().waitForSelector('#quote[data-state="ready"]:not([aria-busy])');
      assert.equal(quotes.at(-1)?.body.addressId, work.addressId);
      await checkPage(session, 'checkout with two addresses', 'addresses-6-checkout-choice');

      // Added from the checkout: back at the checkout, the new address is the one chosen.
      await page().click('#manage-addresses');
      await page().waitForURL(/#\/addresses\?next=%2Fcart$/);
      await fillAddress(page(), { recipient: 'Ada Parents', phone: '139 0000 1111', region: 'Jiangsu Suzhou Gusu', line: '5 Canal Street' });
      await page().click('#address-save');
      await page().waitForSelector('#message:has-text("Ada Parents is in your address book")');
      await page().click('#back-to-cart');
      await page().waitForSelector('#quote[data-state="ready"]');
      const parents = (await addressBook(customer.token)).find((a) => a.recipient === 'Ada Parents')!;
      assert.ok(await page().isChecked(`#ship-${parents.addressId}`), 'the address just added is chosen');

      // Deleted in another tab: the next change of the form says so at the choice; the book is read again.
      assert.equal((await call('DELETE', `/api/v1/addresses/${parents.addressId}`, { token: customer.token })).status, 204);
      await page().fill('#balance', '0');
      await page().waitForSelector('#ship-to-error');
      await page().waitForSelector('#quote[data-state="ready"]:not([aria-busy])');
      assert.match((await page().textContent('#ship-to-error')) ?? '', /no longer in your address book/);
      assert.equal(await page().locator(`#ship-${parents.addressId}`).count(), 0);
      assert.ok(await page().isChecked(`#ship-${home.addressId}`), 'the default is chosen again');
      await checkPage(session, 'checkout, address deleted meanwhile', 'addresses-7-checkout-address-gone');

      await page().check(`#ship-${work.addressId}`);
      assert.equal(await page().locator('#ship-to-error').count(), 0, 'the message goes with a new choice');
      await page().click('#place-order');
      await page().waitForURL(/#\/orders\/[0-9]+$/);
      await page().waitForSelector('#order-status[data-status="CONFIRMED"]');
      assert.match((await page().textContent('#shipping-address')) ?? '', /Ada Work.*138 0013 8000.*Zhejiang Hangzhou Binjiang 9 Office Road/);
      await checkPage(session, 'order with its shipping address', 'addresses-8-order');
      assert.equal(placements.at(-1)?.body.addressId, work.addressId);
      const orderId = page().url().split('/').pop()!;
      const row = (await state.order(orderId)) as unknown as { consignee: string; address: string };
      assert.deepEqual([row.consignee, row.address], ['Ada Work 138 0013 8000', 'Zhejiang Hangzhou Binjiang 9 Office Road']);
    });
  });
}
