import { defineConfig } from '@shop/common/config';
import { readWebConfig, type WebConfig } from '@shop/common/http';

/** pay-web's settings (PAY_WEB_PORT, JWT_SECRET, ...), read and checked at start-up. */
export function loadPayWebConfig(source: NodeJS.ProcessEnv = process.env): WebConfig {
  return defineConfig((env, fail) => readWebConfig(env, fail, 'pay-web', 7002), source);
}
