import { defineConfig } from '@shop/common/config';
import { readWebConfig, type WebConfig } from '@shop/common/http';

export interface OrderWebConfig extends WebConfig {
  /** pay-web's address as the storefront's browsers reach it; empty: the page's host, port 7002. */
  payWebUrl: string;
}

/** order-web's settings (ORDER_WEB_PORT, JWT_SECRET, ...), read and checked at start-up. */
export function loadOrderWebConfig(source: NodeJS.ProcessEnv = process.env): OrderWebConfig {
  return defineConfig((env, fail) => ({ ...readWebConfig(env, fail, 'order-web', 7001), payWebUrl: env.string('PAY_WEB_URL', { default: '' }) }), source);
}
