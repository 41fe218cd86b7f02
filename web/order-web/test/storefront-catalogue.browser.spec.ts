/**
 * The catalogue of the storefront, at 1280x800 and 390x844 in headless Chromium against the
 * running system: categories and a sort on the goods list, the goods' pictures (small in the
 * list, with their size set and loaded lazily; a neutral drawing without one), and the goods
 * page (large picture, description, price, stock, a quantity added to the cart). Screenshots in
 * test-artifacts/storefront/ (desktop-* and phone-*).
 */
import assert from 'node:assert/strict';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { checkPage, expectAlert, expectFieldError, expectFocusedInView, hasFocus, readStorage, VIEWPORTS, withStorefront } from './support/browser';
import { BASE_URL, call, uniqueName } from './support/shop-api';

/** A PNG of `size` pixels square in one colour: what an admin uploads as the goods' picture. */
function png(size: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([r, g, b]))]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/** A category by its name (the same name answers the same category: the tests' few stay few). */
async function category(admin: string, name: string): Promise<string> {
  const created = await call('POST', '/api/v1/admin/categories', { token: admin, json: { name } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.categoryId;
}

async function goods(
  admin: string,
  fields: { name: string; price: string; stock: number; categoryId: string; description: string },
  picture?: Buffer,
): Promise<string> {
  const created = await call('POST', '/api/v1/admin/goods', { token: admin, json: fields, headers: { 'idempotency-key': uniqueName('goods-') } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  if (picture) {
    const response = await fetch(`${BASE_URL}/api/v1/admin/goods/${created.body.goodsId}/image`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'image/png' },
      body: picture,
    });
    assert.equal(response.status, 200, await response.text());
  }
  return created.body.goodsId;
}

const cardNames = (page: Page) => page.locator('.card .name').allTextContents();

/** Waits until the list starts with `name` (the list is drawn again after a change of the address). */
const firstCardIs = (page: Page, name: string) =>
  page.waitForFunction((first) => {
    const { document } = globalThis as unknown as { document: { querySelectorAll(css: string): { textContent: string }[] } };
    return document.querySelectorAll('.card .name')[0]?.textContent === first;
  }, name);

for (const viewport of VIEWPORTS) {
  describe(`storefront catalogue at ${viewport.width}x${viewport.height} (${viewport.name})`, function () {
    this.timeout(120_000);
    const session = withStorefront({ viewport, prefix: `${viewport.name}-` });
    const page = () => session.page;
    let admin: string;
    beforeEach(() => ({ admin } = session));

    it('the goods list: categories, a sort kept in the address, pictures (small, sized, lazy, named) and a drawing without one', async () => {
      const [teaware, lighting] = [await category(admin, 'Teaware (tests)'), await category(admin, 'Lighting (tests)')];
      const prefix = uniqueName('Cup');
      const glazed = `${prefix} glazed`;
      const plain = `${prefix} plain`;
      const lamp = `${prefix} lamp`;
      const glazedId = await goods(admin, { name: glazed, price: '30.00', stock: 5, categoryId: teaware, description: 'Glazed.' }, png(64, [200, 80, 40]));
      await goods(admin, { name: plain, price: '10.00', stock: 9, categoryId: teaware, description: '' });
      await goods(admin, { name: lamp, price: '20.00', stock: 1, categoryId: lighting, description: '' });

      await page().goto(`${BASE_URL}/#/?q=${encodeURIComponent(prefix)}`);
      await page().waitForSelector(`h1:has-text("${prefix}")`);
      assert.deepEqual(await cardNames(page()), [glazed, plain, lamp], 'oldest first by default');
      const picture = page().locator(`.card[data-goods="${glazedId}"] img.picture`);
      assert.deepEqual(
        [await picture.getAttribute('alt'), await picture.getAttribute('width'), await picture.getAttribute('height'), await picture.getAttribute('loading')],
        [glazed, '320', '320', 'lazy'],
      );
      assert.match((await picture.getAttribute('src')) ?? '', /^\/images\/goods\/[^/]+-small\.webp$/);
      await picture.scrollIntoViewIfNeeded();
      await page().waitForFunction((name) => {
        const img = (
          globalThis as unknown as { document: { querySelector(css: string): { complete: boolean; naturalWidth: number } | null } }
        ).document.querySelector(`img[alt="${name}"]`);
        return img?.complete && img.naturalWidth > 0;
      }, glazed);
      assert.equal(await page().locator('.card .placeholder[aria-hidden="true"]').count(), 2, 'a drawing for the goods without a picture');

      // A category: the search stays, the chosen one is marked.
      await page().click(`.categories a[data-category="${teaware}"]`);
      await page().waitForURL(new RegExp(`category=${teaware}`));
      await page().waitForSelector(`.categories a[data-category="${teaware}"][aria-current="page"]`);
      assert.deepEqual(await cardNames(page()), [glazed, plain]);
      assert.match(page().url(), new RegExp(`q=${prefix}`));

      // The sort: in the address, the focus stays on the select.
      await page().selectOption('#sort', 'price-asc');
      await page().waitForURL(/sort=price-asc/);
      await firstCardIs(page(), plain);
      assert.deepEqual(await cardNames(page()), [plain, glazed]);
      assert.ok(await hasFocus(page(), '#sort'), 'the focus stays on the sort');
      await checkPage(session, 'goods list with a category and a sort', 'catalogue-1-list');
      await page().selectOption('#sort', 'price-desc');
      await page().waitForURL(/sort=price-desc/);
      await firstCardIs(page(), glazed);
      assert.deepEqual(await cardNames(page()), [glazed, plain]);
      await page().reload();
      await firstCardIs(page(), glazed);
      assert.equal(await page().inputValue('#sort'), 'price-desc', 'the address keeps the sort');

      // All goods again: the other category's lamp is back.
      await page().click('.categories a[data-category=""]');
      // A selector, not a string for waitForFunction: the page's policy refuses to evaluate strings (no 'unsafe-eval').
      await page().waitForSelector(`.card .name:has-text(${JSON.stringify(lamp)})`);
      assert.doesNotMatch(page().url(), /category=/);

      // In Chinese, the same page.
      await page().click('#language');
      await page().waitForSelector('label[for="sort"]:text-is("排序")');
      await checkPage(session, 'goods list in Chinese', 'catalogue-2-list-zh-CN');
    });

    it('a goods page: large picture, description, price and stock; a quantity checked and added to the cart; off sale and unknown goods said so', async () => {
      const teaware = await category(admin, 'Teaware (tests)');
      const name = uniqueName('Teapot ');
      const goodsId = await goods(
        admin,
        { name, price: '88.00', stock: 5, categoryId: teaware, description: 'Holds 600 ml.\nDishwasher safe.' },
        png(96, [40, 110, 180]),
      );
      await page().goto(`${BASE_URL}/#/?q=${encodeURIComponent(name)}`);
      await page().click(`.card[data-goods="${goodsId}"] .goods-link`);
      await page().waitForURL(new RegExp(`#/goods/${goodsId}$`));
      await page().waitForSelector(`#goods-name:text-is("${name}")`);
      await expectFocusedInView(page(), 'main h1');
      assert.equal(await page().title(), `${name} · Shop`);
      const picture = page().locator('.goods-picture img');
      assert.equal(await picture.getAttribute('alt'), name);
      assert.match((await picture.getAttribute('src')) ?? '', /-large\.webp$/);
      assert.equal(await page().textContent('#goods-price'), '¥88.00');
      assert.equal(await page().textContent('#goods-stock'), '5 in stock');
      assert.equal(await page().textContent('#goods-description'), 'Holds 600 ml.\nDishwasher safe.');
      assert.equal(await page().textContent('#goods-category'), 'Teaware (tests)');

      for (const [typed, words] of [
        ['0', /whole number from 1 to 5/],
        ['2.5', /whole number from 1 to 5/],
        ['9', /Only 5 left/],
      ] as const) {
        await page().fill('#add-quantity', typed);
        await page().click('#add-button');
        await expectFieldError(page(), 'add-quantity', words);
      }
      await page().fill('#add-quantity', '2');
      await page().click('#add-button');
      await page().waitForSelector(`#message:has-text("${name} added to the cart")`);
      await page().waitForSelector('#cart-count:text-is("1")');
      assert.equal(await page().locator('.field-error').count(), 0);
      assert.deepEqual(
        (JSON.parse((await readStorage(page(), 'shop.guestCart')) ?? '[]') as { goodsId: string; quantity: number }[]).map((l) => [l.goodsId, l.quantity]),
        [[goodsId, 2]],
      );
      await checkPage(session, 'goods page', 'catalogue-3-goods-page');
      // 2 in the cart: 998 more would pass 999 in one order.
      await page().fill('#add-quantity', '3');
      await page().click('#add-button');
      await page().waitForSelector(`#message:has-text("${name} added to the cart")`);
      assert.equal((JSON.parse((await readStorage(page(), 'shop.guestCart')) ?? '[]') as { quantity: number }[])[0]?.quantity, 5);

      // The category link leads back to the list of that category.
      await page().click('#goods-category');
      await page().waitForURL(new RegExp(`#/\\?category=${teaware}$`));
      await page().waitForSelector(`.categories a[data-category="${teaware}"][aria-current="page"]`);

      // Off sale: said, nothing to add. Unknown: said, with no endless "Loading…".
      const patched = await call('PATCH', `/api/v1/admin/goods/${goodsId}`, {
        token: admin,
        json: { onSale: false, reason: 'discontinued' },
        headers: { 'idempotency-key': uniqueName('off-') },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      await page().goto(`${BASE_URL}/#/goods/${goodsId}`);
      await page().waitForSelector('#goods-stock:text-is("No longer on sale")');
      assert.equal(await page().locator('#add-form').count(), 0);
      await page().goto(`${BASE_URL}/#/goods/1`);
      await expectAlert(page(), '#page-error', /not in the shop/);
      await checkPage(session, 'unknown goods', 'catalogue-4-unknown-goods');
    });
  });
}
