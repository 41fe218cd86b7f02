import { defineConfig } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';

/** The goods service's settings (GOODS_SCHEMA, GOODS_RPC_PORT, ...), read and checked at start-up. */
export function loadGoodsConfig(source: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return defineConfig((env) => readServiceConfig(env, 'goods'), source);
}
