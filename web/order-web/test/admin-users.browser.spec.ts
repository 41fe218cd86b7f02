/**
 * The admin console's users at both viewports: the list searched by name and paged, a user's
 * page with balance adjustments (adding at once, taking away only after asking and never more
 * than there is, even when the customer spends meanwhile), coupons granted and listed, and a
 * ban with a reason after asking (the customer can no longer sign in) and back. Checked in the
 * user service's tables and through the API; axe and no sideways scrolling on every page.
 */
import assert from 'node:assert/strict';
import { VIEWPORTS, withBrowser } from './support/browser';
import {
  answerConfirm,
  checkPage,
  fieldSays,
  open,
  saysError,
  saysInfo,
  signedInAdmin,
  waitForCount,
  waitForHash,
  waitForHeading,
} from './support/admin-console';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

for (const viewport of VIEWPORTS) {
  describe(`admin console: users (${viewport.name}, ${viewport.width}x${viewport.height})`, function () {
    this.timeout(120_000);
    const browser = withBrowser({ viewport, prefix: `admin-users-${viewport.name}-` });
    let admin: string;
    let adminId: string;
    let state: SystemState;
    withSystem((system) => {
      admin = system.admin.token;
      adminId = system.admin.userId;
      state = system.state;
    });
    beforeEach(async () => {
      await signedInAdmin(browser.page, admin);
    });

    /** A new customer with their username. */
    async function customer(balance?: string) {
      const made = await newCustomer(admin, balance ? { balance } : {});
      const { username } = (await call('GET', '/api/v1/me', { token: made.token })).body;
      return { ...made, username: username as string };
    }

    it('finds users by name, and pages through them', async () => {
      const { page } = browser;
      const { userId, username } = await customer();
      await open(page, '#/users', 'Users');
      await page.waitForSelector('#users-table');
      await checkPage(page, viewport, 'users');
      await page.fill('#users-q', username);
      await page.click('#users-search button');
      await waitForCount(page, '#users-table tbody tr', 1);
      assert.match((await page.textContent('#users-table tbody tr')) ?? '', /customer\s*¥0\.00\s*0\s*active/);
      await page.fill('#users-q', 'nobody-has-this-name');
      await page.click('#users-search button');
      await page.locator('main', { hasText: 'No user named like "nobody-has-this-name".' }).waitFor();

      // A page past the end shows the last one.
      const { total } = (await call('GET', '/api/v1/admin/users?size=20', { token: admin })).body;
      const last = Math.ceil(total / 20);
      await open(page, '#/users?page=9999', 'Users');
      await waitForHash(page, new RegExp(`page=${last}$`));
      await page.locator('.pager', { hasText: `Page ${last} of ${last}` }).waitFor();

      await open(page, `#/users?q=${encodeURIComponent(username)}`, 'Users');
      await page.click(`#users-table a[href="#/users/${userId}"]`);
      await waitForHeading(page, `User ${username}`);
    });

    it('adjusts a balance with a reason: adds at once, takes away only after asking and never more than there is', async () => {
      const { page } = browser;
      const { userId, username, token } = await customer('10.00');
      await open(page, `#/users/${userId}`, `User ${username}`);
      await page.click('#balance-submit');
      await fieldSays(page, '#balance-amount', 'Enter an amount, in yuan, like 12.50.');
      await page.fill('#balance-amount', '5');
      await page.click('#balance-submit');
      await fieldSays(page, '#balance-reason', 'Enter the reason for the adjustment.');
      await page.fill('#balance-reason', 'welcome gift');
      await page.click('#balance-submit');
      await saysInfo(page, '¥5.00 added to the balance: ¥15.00 now.');
      assert.equal(await state.balance(userId), '15.00');
      assert.match((await page.textContent('#adjustments tbody tr')) ?? '', new RegExp(`\\+¥5\\.00\\s*welcome gift\\s*admin ${adminId}\\s*¥15\\.00`));

      await page.check('#balance-take');
      await page.fill('#balance-amount', '20.00');
      await page.fill('#balance-reason', 'credited twice');
      await page.click('#balance-submit');
      await fieldSays(page, '#balance-amount', 'The balance is ¥15.00: you can take at most ¥15.00.');
      await page.fill('#balance-amount', '4.5');
      await page.click('#balance-submit');
      assert.match(await answerConfirm(page, 'no'), /Take ¥4\.50 from .*¥15\.00 to ¥10\.50/);
      assert.equal(await state.balance(userId), '15.00');
      await page.click('#balance-submit');
      await answerConfirm(page, 'yes');
      await saysInfo(page, '¥4.50 taken from the balance: ¥10.50 now.');
      assert.equal(await state.balance(userId), '10.50');
      assert.match((await page.textContent('#adjustments tbody tr')) ?? '', /−¥4\.50\s*credited twice/);
      await checkPage(page, viewport, 'user-balance');

      // The customer spends it all while the admin types: the service refuses, the page says why.
      const goodsId = await newGoods(admin, '0.50', 5);
      assert.equal((await placeOrder(token, { items: [{ goodsId, quantity: 1 }], balance: '10.50' })).body.status, 'PAID');
      await page.check('#balance-take');
      await page.fill('#balance-amount', '5.00');
      await page.fill('#balance-reason', 'second correction');
      await page.click('#balance-submit');
      await answerConfirm(page, 'yes');
      await saysError(page, 'The balance is lower than the amount you are taking away (it may have been spent meanwhile).');
      assert.equal(await state.balance(userId), '0.00');
    });

    it('grants coupons, and bans with a reason after asking (sign-in refused) then lets the user back', async () => {
      const { page } = browser;
      const { userId, username } = await customer();
      await open(page, `#/users/${userId}`, `User ${username}`);
      await page.click('#coupon-submit');
      await fieldSays(page, '#coupon-amount', 'Enter a value, in yuan, like 12.50.');
      await page.fill('#coupon-amount', '20');
      await page.click('#coupon-submit');
      await saysInfo(page, `Coupon of ¥20.00 granted to ${username}.`);
      assert.match((await page.textContent('#coupons')) ?? '', /¥20\.00\s*not used yet/);
      assert.equal((await call('GET', '/api/v1/me/coupons', { token: (await login(username)).token })).body.length, 1);

      await page.click('#ban-submit');
      await fieldSays(page, '#ban-reason', 'Enter why the user is banned.');
      await page.fill('#ban-reason', 'chargebacks with stolen cards');
      await page.click('#ban-submit');
      assert.match(await answerConfirm(page, 'no'), new RegExp(`Ban ${username}\\?`));
      assert.equal((await login(username)).status, 200);
      await page.click('#ban-submit');
      await answerConfirm(page, 'yes');
      await saysInfo(page, `${username} is banned.`);
      await page.locator('#user-facts', { hasText: 'banned chargebacks with stolen cards' }).waitFor();
      await checkPage(page, viewport, 'user-banned');
      const refused = await login(username);
      assert.deepEqual([refused.status, refused.body.code], [403, 'USER_BANNED']);

      await page.click('#unban-submit');
      await answerConfirm(page, 'yes');
      await saysInfo(page, `${username} can sign in again.`);
      assert.equal((await login(username)).status, 200);

      // An admin's own page offers no ban.
      await open(page, `#/users/${adminId}`, /^User /);
      await page.locator('#ban-none', { hasText: 'Admins cannot be banned.' }).waitFor();
      assert.equal(await page.locator('#ban-submit').count(), 0);
    });

    const login = async (username: string) => {
      const reply = await call('POST', '/api/v1/auth/login', { json: { username, password: 'password-123' } });
      return { status: reply.status, body: reply.body, token: reply.body?.token as string };
    };
  });
}
