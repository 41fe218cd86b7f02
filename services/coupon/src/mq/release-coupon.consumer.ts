/** Frees the coupon of cancelled orders (the committed order.cancel of a failed placement). */
import type { Logger } from '@shop/common/log';
import type { MqConnection, MqConsumer } from '@shop/common/mq';
import { startOrderCancelConsumer } from '@shop/contracts';
import { releaseCouponWithin } from '../domain/coupons';
import type { CouponStore } from '../store/coupon-store';

export const COUPON_CONSUMER_GROUP = 'shop-coupon';

export function startReleaseCouponConsumer(connection: MqConnection, store: CouponStore, logger: Logger, group = COUPON_CONSUMER_GROUP): Promise<MqConsumer> {
  return startOrderCancelConsumer(connection, {
    service: 'coupon',
    group,
    sequelize: store.sequelize,
    logger,
    release: (tx, orderId) => releaseCouponWithin(store, tx, orderId),
  });
}
