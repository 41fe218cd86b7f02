import { defineConfig } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';

/** The coupon service's settings (COUPON_SCHEMA, COUPON_RPC_PORT, ...), read and checked at start-up. */
export function loadCouponConfig(source: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return defineConfig((env, fail) => readServiceConfig(env, fail, 'coupon'), source);
}
