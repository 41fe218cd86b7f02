/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { orThrow } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { ServiceHandlers } from '@shop/common/rpc';
import { couponContract } from '@shop/contracts';
import { getCoupon, grantCoupon, listUserCoupons, releaseCoupon, useCoupon } from '../domain/coupons';
import type { CouponStore } from '../store/coupon-store';

export function couponHandlers(store: CouponStore, ids: SnowflakeGenerator): ServiceHandlers<typeof couponContract.definition> {
  return {
    getCoupon: async ({ couponId }) => orThrow(await getCoupon(store, couponId)),
    listUserCoupons: async ({ userId }) => ({ coupons: orThrow(await listUserCoupons(store, userId)) }),
    grantCoupon: async (request) => orThrow(await grantCoupon(store, ids, request)),
    useCoupon: async (request) => orThrow(await useCoupon(store, request)),
    releaseCoupon: async ({ orderId }) => orThrow(await releaseCoupon(store, orderId)),
  };
}
