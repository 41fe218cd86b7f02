/**
 * The admin console's goods at both viewports: new goods checked in the page before sending,
 * goods kept when their picture is refused (and the picture given again on their page), edits
 * of price, category, description and sale with a reason, stock taken away only after asking
 * (and refused when orders took the units meanwhile), categories created once by name. Checked
 * against the API and the goods service's tables; axe and no sideways scrolling on every page.
 */
import assert from 'node:assert/strict';
import { VIEWPORTS, withBrowser } from './support/browser';
import {
  answerConfirm,
  checkPage,
  fieldSays,
  imageShown,
  makePng,
  open,
  saysError,
  saysInfo,
  signedInAdmin,
  waitForCount,
  waitForHeading,
} from './support/admin-console';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, placeOrder, uniqueName } from './support/shop-api';
import type { SystemState } from './support/system-state';

for (const viewport of VIEWPORTS) {
  describe(`admin console: goods (${viewport.name}, ${viewport.width}x${viewport.height})`, function () {
    this.timeout(120_000);
    const browser = withBrowser({ viewport, prefix: `admin-goods-${viewport.name}-` });
    let admin: string;
    let state: SystemState;
    withSystem((system) => {
      admin = system.admin.token;
      state = system.state;
    });
    beforeEach(async () => {
      await signedInAdmin(browser.page, admin);
    });

    const goodsNamed = async (name: string) => (await call('GET', `/api/v1/admin/goods?q=${encodeURIComponent(name)}`, { token: admin })).body.items;

    it('checks new goods in the page, and keeps goods whose picture was refused so that it can be given again', async () => {
      const { page } = browser;
      await open(page, '#/goods/new', 'New goods');
      await page.click('#goods-create');
      await fieldSays(page, '#goods-name', 'Enter a name.');
      const name = uniqueName('Vase ');
      await page.fill('#goods-name', name);
      for (const [price, said] of [
        ['12.345', 'Write a price in yuan with at most two decimals, like 12.50.'],
        ['0', 'A price must be more than zero.'],
        ['12,50', 'Write a price in yuan with at most two decimals'],
      ] as const) {
        await page.fill('#goods-price', price);
        await page.click('#goods-create');
        await fieldSays(page, '#goods-price', said);
      }
      await page.fill('#goods-price', '36.00');
      for (const [stock, said] of [
        ['-1', 'Enter the stock between 0 and 10,000,000.'],
        ['2.5', 'Enter the stock as a whole number.'],
      ] as const) {
        await page.fill('#goods-stock', stock);
        await page.click('#goods-create');
        await fieldSays(page, '#goods-stock', said);
      }
      await page.fill('#goods-stock', '4');
      // Not a picture by its type: said as soon as it is chosen, and again on Create.
      await page.setInputFiles('#goods-image-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await fieldSays(page, '#goods-image-file', 'Choose a JPEG, PNG, WebP or GIF picture.');
      assert.equal(await page.isHidden('#goods-image-preview'), true, 'no preview of what is not a picture');
      await checkPage(page, viewport, 'goods-new-refused');
      await page.click('#goods-create');
      await fieldSays(page, '#goods-image-file', 'Choose a JPEG, PNG, WebP or GIF picture.');
      assert.deepEqual(await goodsNamed(name), [], 'nothing was sent');

      // Called a PNG but not one: the goods are created, the service refuses the bytes, their page says so.
      await page.setInputFiles('#goods-image-file', { name: 'vase.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
      await page.click('#goods-create');
      await waitForHeading(page, name);
      const error = await saysError(page, `${name} created, but the picture was not saved`);
      assert.match(error, /This file is not a picture the shop can read/);
      await checkPage(page, viewport, 'goods-picture-refused');
      const [created] = await goodsNamed(name);
      assert.equal(created.image, null);
      assert.equal((await goodsNamed(name)).length, 1, 'created once');

      // The picture, given again on the goods' page.
      await page.click('#picture-save');
      await fieldSays(page, '#edit-image-file', 'Choose a picture first.');
      await page.setInputFiles('#edit-image-file', { name: 'vase.png', mimeType: 'image/png', buffer: makePng(64) });
      await page.waitForSelector('#edit-image-preview:not([hidden])');
      await page.click('#picture-save');
      await saysInfo(page, 'Picture saved.');
      assert.ok(await imageShown(page, '#edit-image-current'));
      assert.match((await goodsNamed(name))[0].image.small, /-small\.webp$/);
    });

    it('edits price, category, description and sale with a reason; takes stock away only after asking, and not what orders took meanwhile', async () => {
      const { page } = browser;
      const goodsId = await newGoods(admin, '12.00', 3);
      const category = (await call('POST', '/api/v1/admin/categories', { token: admin, json: { name: uniqueName('Kitchen ') } })).body;
      await open(page, `#/goods/${goodsId}`, /^goods /);

      await page.click('#goods-save');
      await fieldSays(page, '#edit-reason', 'Enter the reason for the change.');
      await page.fill('#edit-reason', 'spring prices');
      await page.click('#goods-save');
      await fieldSays(page, '#edit-name', 'Nothing changed: change a field first.');

      await page.fill('#edit-price', '9.90');
      await page.selectOption('#edit-category', category.categoryId);
      await page.fill('#edit-description', 'Stoneware, dishwasher safe.');
      await page.click('#goods-save');
      await saysInfo(page, 'Goods saved.');
      let goods = (await call('GET', `/api/v1/goods/${goodsId}`)).body;
      assert.deepEqual([goods.price, goods.categoryId, goods.description], ['9.90', category.categoryId, 'Stoneware, dishwasher safe.']);
      assert.equal(await page.textContent('#goods-category-now'), category.name);
      const log = await state.goodsChanges(goodsId);
      assert.equal(log.at(-1)?.reason, 'spring prices');
      assert.deepEqual(log.at(-1)?.changes.price, ['12.00', '9.90']);

      // More than the stock the page knows: refused in the page.
      await page.fill('#edit-stock', '-5');
      await page.fill('#edit-reason', 'breakage');
      await page.click('#goods-save');
      await fieldSays(page, '#edit-stock', 'Only 3 in stock: you can take away at most 3.');
      // A customer buys two while the admin types: the service refuses to take away more than is left.
      const customer = await newCustomer(admin, { balance: '29.80' });
      assert.equal((await placeOrder(customer.token, { items: [{ goodsId, quantity: 2 }], balance: '29.80' })).body.status, 'PAID');
      await page.fill('#edit-stock', '-2');
      await page.click('#goods-save');
      assert.match(await answerConfirm(page, 'no'), /Take 2 units away\?/);
      assert.equal(await state.stock(goodsId), 1);
      await page.click('#goods-save');
      await answerConfirm(page, 'yes');
      await saysError(page, 'There are fewer units in stock than you are taking away (orders may have taken some meanwhile).');
      assert.equal(await state.stock(goodsId), 1);

      // Off sale, after asking; out of the shop's list, still in the admin's.
      await page.reload();
      await waitForHeading(page, /^goods /);
      assert.equal(await page.textContent('#goods-stock-now'), '1');
      await page.uncheck('#edit-on-sale');
      await page.selectOption('#edit-category', '');
      await page.fill('#edit-reason', 'end of the line');
      await page.click('#goods-save');
      assert.match(await answerConfirm(page, 'yes'), /Take these goods off sale\?/);
      await saysInfo(page, 'Goods saved.');
      await page.locator('#goods-sale', { hasText: 'off sale' }).waitFor();
      await checkPage(page, viewport, 'goods-off-sale');
      goods = (await call('GET', `/api/v1/goods/${goodsId}`)).body;
      assert.deepEqual([goods.onSale, goods.categoryId], [false, null]);
      assert.deepEqual((await call('GET', `/api/v1/goods?q=${encodeURIComponent(goods.name)}`)).body.items, []);
    });

    it('lists goods by name and category, and adds a category once whatever its spelling', async () => {
      const { page } = browser;
      const name = uniqueName('Sauce ');
      await open(page, '#/goods', 'Goods');
      await page.fill('#category-name', `  ${name}  `);
      await page.click('#category-create');
      await saysInfo(page, `Category ${name} added.`);
      await page.fill('#category-name', name.toUpperCase());
      await page.click('#category-create');
      await saysInfo(page, `The category ${name} exists already.`);
      const categories = (await call('GET', '/api/v1/categories')).body.items.filter((c: { name: string }) => c.name.toLowerCase() === name.toLowerCase());
      assert.equal(categories.length, 1);
      await page.locator('#categories-table a', { hasText: name }).click();
      await page.locator('#goods-table, main p.muted', { hasText: 'No goods in' }).first().waitFor();
      await checkPage(page, viewport, 'goods-category-empty');

      await page.fill('#goods-q', 'no goods has this name');
      await page.selectOption('#goods-category', '');
      await page.click('#goods-search button');
      await page.locator('main', { hasText: 'No goods named like "no goods has this name".' }).waitFor();
      const goodsId = await newGoods(admin, '3.00', 20);
      const { name: goodsName } = (await call('GET', `/api/v1/goods/${goodsId}`)).body;
      await page.fill('#goods-q', goodsName);
      await page.click('#goods-search button');
      await waitForCount(page, '#goods-table tbody tr', 1);
      await page.click(`#goods-table a[href="#/goods/${goodsId}"]`);
      await waitForHeading(page, goodsName);
    });
  });
}
