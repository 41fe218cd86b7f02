import { defineConfig } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';
import { readPayExpiryMargin, readPayTimeout } from '@shop/contracts';

export interface OrderConfig extends ServiceConfig {
  /** Orders of at least this goods amount ship free. */
  freeShippingThreshold: string;
  shippingFee: string;
  /**
   * A PENDING order older than this was abandoned by a crashed placement: the check-back cancels
   * it. Longer than any live placement (its three reservations run in parallel, 3 s deadline).
   */
  placementDeadlineMs: number;
  /** How long a confirmed order may stay unpaid (the pay service's timeout uses the same value). */
  payTimeoutSeconds: number;
  /** How long after the deadline the order's timer fires (the pay service's margin, the same value). */
  payExpiryMarginSeconds: number;
  /** How often the sweepers look for abandoned, overdue and unconfirmed orders. */
  sweepIntervalMs: number;
  /** A SHIPPED order completes by itself this many days after shipping unless confirmed earlier. */
  autoCompleteDays: number;
  /** After-sales requests are accepted until this many days after the order completed. */
  afterSalesDays: number;
  /**
   * How long placement may price from goods read that long ago (0: read them for every order).
   * The stock reservation takes the units only at the price used, so a staler read costs a
   * PRICE_CHANGED refusal, never a unit sold at an old price (clients/recent-goods.ts).
   */
  catalogueRecentMs: number;
  /** Honour the x-shop-fault request metadata (tests); refused in production. */
  faultInjection: boolean;
}

/** The order service's settings, read and checked at start-up. */
export function loadOrderConfig(source: NodeJS.ProcessEnv = process.env): OrderConfig {
  return defineConfig((env, fail) => {
    const service = readServiceConfig(env, fail, 'order');
    const faultInjection = env.bool('FAULT_INJECTION', { default: service.infra.env !== 'production' });
    if (faultInjection && service.infra.env === 'production') fail('FAULT_INJECTION must be off when NODE_ENV=production');
    return {
      ...service,
      freeShippingThreshold: env.money('FREE_SHIPPING_THRESHOLD', { default: '100.00' }),
      shippingFee: env.money('SHIPPING_FEE', { default: '10.00' }),
      placementDeadlineMs: env.int('PLACEMENT_DEADLINE_MS', { default: 10_000, min: 5_000, max: 600_000 }),
      payTimeoutSeconds: readPayTimeout(env, fail),
      payExpiryMarginSeconds: readPayExpiryMargin(env),
      sweepIntervalMs: env.int('ORDER_SWEEP_INTERVAL_MS', { default: 30_000, min: 1_000 }),
      autoCompleteDays: env.int('ORDER_AUTO_COMPLETE_DAYS', { default: 7, min: 1, max: 365 }),
      afterSalesDays: env.int('ORDER_AFTER_SALES_DAYS', { default: 7, min: 1, max: 365 }),
      catalogueRecentMs: env.int('CATALOGUE_RECENT_MS', { default: 1_000, min: 0, max: 60_000 }),
      faultInjection,
    };
  }, source);
}
