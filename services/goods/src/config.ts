import { defineConfig, readInfraConfig } from '@shop/common';

/** The goods service's settings, read and checked once at start-up. */
export function loadGoodsConfig(source: NodeJS.ProcessEnv = process.env) {
  return defineConfig(
    (env) => ({
      infra: readInfraConfig(env),
      schema: env.string('GOODS_SCHEMA', { default: 'shop_goods' }),
      rpcHost: env.string('RPC_HOST', { default: '127.0.0.1' }),
      rpcPort: env.int('GOODS_RPC_PORT', { default: 0, min: 0, max: 65535 }),
      // Each running instance needs its own snowflake worker id (0-1023).
      workerId: env.int('WORKER_ID', { default: process.pid % 1024, min: 0, max: 1023 }),
    }),
    source,
  );
}

export type GoodsConfig = ReturnType<typeof loadGoodsConfig>;
