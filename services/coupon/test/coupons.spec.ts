import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { grantCoupon, releaseCoupon, useCoupon, type Coupon } from '../src/domain/coupons';
import { CouponStore } from '../src/store/coupon-store';
import { couponMigrations } from '../src/store/migrations';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_coupon';

describe('coupon: use and release by order id against the real MySQL', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(905);
  let db: Sequelize;
  let store: CouponStore;

  const row = async (couponId: string) =>
    (
      await db.query<{ used: number; order_id: string | null }>('SELECT used, order_id FROM coupon WHERE id = ?', {
        replacements: [couponId],
        type: QueryTypes.SELECT,
      })
    )[0]!;
  const grant = async (userId: string): Promise<Coupon> => {
    const coupon = await grantCoupon(store, ids, { requestId: '', userId, amount: '5.00' });
    assert.ok(!(coupon instanceof DomainError));
    return coupon;
  };
  const codeOf = (result: unknown) => (result instanceof DomainError ? result.code : 'OK');

  before(async () => {
    db = await freshDatabase(SCHEMA, couponMigrations);
    store = new CouponStore(db);
  });

  after(async () => {
    await db?.close();
  });

  it('uses a coupon for one order; a repeat changes nothing; another order is refused', async () => {
    const userId = ids.next();
    const coupon = await grant(userId);
    const [first, second] = [ids.next(), ids.next()];
    assert.deepEqual(await useCoupon(store, { orderId: first, userId, couponId: coupon.couponId }), { applied: true });
    assert.deepEqual(await useCoupon(store, { orderId: first, userId, couponId: coupon.couponId }), { applied: false });
    assert.equal(codeOf(await useCoupon(store, { orderId: second, userId, couponId: coupon.couponId })), ErrorCode.COUPON_UNAVAILABLE);
    assert.deepEqual(await row(coupon.couponId), { used: 1, order_id: first });
  });

  it("refuses another user's coupon like a missing one, changing nothing", async () => {
    const coupon = await grant(ids.next());
    assert.equal(codeOf(await useCoupon(store, { orderId: ids.next(), userId: ids.next(), couponId: coupon.couponId })), ErrorCode.COUPON_UNAVAILABLE);
    assert.equal(codeOf(await useCoupon(store, { orderId: ids.next(), userId: ids.next(), couponId: ids.next() })), ErrorCode.COUPON_UNAVAILABLE);
    assert.deepEqual(await row(coupon.couponId), { used: 0, order_id: null });
  });

  it('frees the coupon of a released order once, and it can serve another order', async () => {
    const userId = ids.next();
    const coupon = await grant(userId);
    const orderId = ids.next();
    await useCoupon(store, { orderId, userId, couponId: coupon.couponId });
    assert.deepEqual(await releaseCoupon(store, orderId), { released: true });
    assert.deepEqual(await releaseCoupon(store, orderId), { released: false });
    assert.deepEqual(await row(coupon.couponId), { used: 0, order_id: null });
    assert.deepEqual(await useCoupon(store, { orderId: ids.next(), userId, couponId: coupon.couponId }), { applied: true });
  });

  it("never frees a coupon the released order did not use, and refuses the order's late use", async () => {
    const userId = ids.next();
    const coupon = await grant(userId);
    const holder = ids.next();
    await useCoupon(store, { orderId: holder, userId, couponId: coupon.couponId });
    const other = ids.next();
    assert.deepEqual(await releaseCoupon(store, other), { released: false }, 'a tombstone, nothing freed');
    assert.deepEqual(await row(coupon.couponId), { used: 1, order_id: holder });
    const fresh = await grant(userId);
    assert.equal(codeOf(await useCoupon(store, { orderId: other, userId, couponId: fresh.couponId })), ErrorCode.RELEASED);
    assert.deepEqual(await row(fresh.couponId), { used: 0, order_id: null });
  });

  it('lets exactly one of 10 concurrent orders use a coupon', async () => {
    const userId = ids.next();
    const coupon = await grant(userId);
    const results = await Promise.all(Array.from({ length: 10 }, () => useCoupon(store, { orderId: ids.next(), userId, couponId: coupon.couponId })));
    assert.equal(results.filter((r) => codeOf(r) === 'OK').length, 1);
    assert.equal(results.filter((r) => codeOf(r) === ErrorCode.COUPON_UNAVAILABLE).length, 9);
  });

  it('ends with the coupon free when a release races the use of the same order', async () => {
    const userId = ids.next();
    const coupon = await grant(userId);
    for (let i = 0; i < 20; i++) {
      const orderId = ids.next();
      const [used] = await Promise.all([useCoupon(store, { orderId, userId, couponId: coupon.couponId }), releaseCoupon(store, orderId)]);
      assert.ok(['OK', ErrorCode.RELEASED].includes(codeOf(used)), String(codeOf(used)));
      assert.deepEqual(await row(coupon.couponId), { used: 0, order_id: null });
    }
  });

  it('grants once per request id, even when the request is repeated concurrently', async () => {
    const userId = ids.next();
    const requestId = `grant-${ids.next()}`;
    const grants = await Promise.all(Array.from({ length: 5 }, () => grantCoupon(store, ids, { requestId, userId, amount: '7.50' })));
    assert.equal(new Set(grants.map((g) => (g instanceof DomainError ? g.code : g.couponId))).size, 1);
    const [count] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM coupon WHERE user_id = ?', { replacements: [userId], type: QueryTypes.SELECT });
    assert.equal(Number(count?.n), 1);
  });

  it('rejects bad input without touching anything', async () => {
    const userId = ids.next();
    const coupon = await grant(userId);
    assert.equal(codeOf(await useCoupon(store, { orderId: 'x', userId, couponId: coupon.couponId })), ErrorCode.INVALID_ARGUMENT);
    assert.equal(codeOf(await grantCoupon(store, ids, { requestId: '', userId, amount: '0' })), ErrorCode.INVALID_ARGUMENT);
    assert.equal(codeOf(await grantCoupon(store, ids, { requestId: '', userId, amount: '1e3' })), ErrorCode.INVALID_ARGUMENT);
    assert.equal(codeOf(await releaseCoupon(store, '-1')), ErrorCode.INVALID_ARGUMENT);
    assert.deepEqual(await row(coupon.couponId), { used: 0, order_id: null });
  });
});
