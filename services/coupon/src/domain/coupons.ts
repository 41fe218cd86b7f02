/** Coupons: granted by an admin, used by one order, freed when that order is released. */
import { createOnce, withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { CouponRepository, CouponRow, Tx } from './ports';

const AMOUNT = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

export interface Coupon {
  couponId: string;
  userId: string;
  amount: string;
  used: boolean;
  orderId: string;
}

function toCoupon(row: CouponRow): Coupon {
  return { couponId: row.id, userId: row.user_id, amount: row.amount, used: row.used === 1, orderId: row.order_id ?? '' };
}

/** Grants a coupon to a user. The same request id returns the coupon granted the first time. */
export async function grantCoupon(
  store: CouponRepository,
  ids: SnowflakeGenerator,
  input: { requestId: string; userId: string; amount: string },
): Promise<Coupon | DomainError> {
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (!AMOUNT.test(input.amount) || Number(input.amount) <= 0) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'amount must be positive, like 10.00');
  return createOnce(
    input.requestId,
    async (requestId) => {
      const existing = await store.findByGrantRequest(requestId);
      return existing && toCoupon(existing);
    },
    async (requestId) => {
      const id = ids.next();
      await store.insertCoupon({ id, userId: input.userId, amount: input.amount, requestId });
      return toCoupon((await store.findCoupon(id))!);
    },
  );
}

export async function getCoupon(store: CouponRepository, couponId: string): Promise<Coupon | DomainError> {
  if (!isSnowflakeId(couponId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid coupon id');
  const row = await store.findCoupon(couponId);
  return row ? toCoupon(row) : new DomainError(ErrorCode.NOT_FOUND, `coupon ${couponId} not found`);
}

export async function listUserCoupons(store: CouponRepository, userId: string): Promise<Coupon[] | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  return (await store.listUserCoupons(userId)).map(toCoupon);
}

/**
 * Marks the user's coupon used by the order. Invariants: a coupon serves one order at most; a
 * repeat for the same order changes nothing; an order already released uses nothing. The
 * order's ledger row is written first and rolled back with any refusal.
 *
 * @returns `{ applied: true }` when this call took the coupon, `{ applied: false }` for a repeat.
 */
export async function useCoupon(
  store: CouponRepository,
  input: { orderId: string; userId: string; couponId: string },
): Promise<{ applied: boolean } | DomainError> {
  const { orderId, userId, couponId } = input;
  if (![orderId, userId, couponId].every(isSnowflakeId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order, user or coupon id');
  return store.releases.reserveOnce<{ applied: boolean }>(orderId, {
    released: () => new DomainError(ErrorCode.RELEASED, `order ${orderId} was released; the coupon is not used`),
    repeat: async () => ({ applied: false }),
    async take(tx, refuse) {
      const coupon = await store.findCoupon(couponId, tx);
      // Another user's coupon answers like a missing one: no way to probe coupon ids.
      if (!coupon || coupon.user_id !== userId) refuse(new DomainError(ErrorCode.COUPON_UNAVAILABLE, 'coupon not found for this user'));
      if (!(await store.take(tx, couponId, orderId))) refuse(new DomainError(ErrorCode.COUPON_UNAVAILABLE, 'coupon already used'));
      return { applied: true };
    },
  });
}

/**
 * Frees the coupon that coupon.order_id says the order used, once; an order that used none
 * leaves a tombstone.
 */
export async function releaseCoupon(store: CouponRepository, orderId: string): Promise<{ released: boolean } | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  return withDeadlockRetry(() => store.transaction((tx) => releaseCouponWithin(store, tx, orderId)));
}

export async function releaseCouponWithin(store: CouponRepository, tx: Tx, orderId: string): Promise<{ released: boolean }> {
  return store.releases.releaseOnce(tx, orderId, async () => ({ released: (await store.freeUsedBy(tx, orderId)) !== undefined }), { released: false });
}
