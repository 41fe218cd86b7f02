import { defineConfig, readWebConfig, type WebConfig } from '@shop/common';

/** order-web's settings (ORDER_WEB_PORT, JWT_SECRET, ...), read and checked at start-up. */
export function loadOrderWebConfig(source: NodeJS.ProcessEnv = process.env): WebConfig {
  return defineConfig((env, fail) => readWebConfig(env, fail, 'order-web', 7001), source);
}
