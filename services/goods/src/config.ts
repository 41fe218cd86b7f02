import path from 'node:path';
import { defineConfig } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';
import type { S3Settings } from './images/s3-store';

export interface GoodsConfig extends ServiceConfig {
  /** Where the goods' pictures live: a directory (one machine, or a shared volume) or an S3-compatible bucket. */
  images: { kind: 'disk'; directory: string } | ({ kind: 's3' } & S3Settings);
}

/** The goods service's settings (GOODS_SCHEMA, GOODS_RPC_PORT, GOODS_IMAGE_STORE, ...), read and checked at start-up. */
export function loadGoodsConfig(source: NodeJS.ProcessEnv = process.env): GoodsConfig {
  return defineConfig((env, fail) => {
    const service = readServiceConfig(env, fail, 'goods');
    const kind = env.string('GOODS_IMAGE_STORE', { default: 'disk', oneOf: ['disk', 's3'] }) as 'disk' | 's3';
    if (kind === 'disk') {
      return { ...service, images: { kind, directory: path.resolve(env.string('GOODS_IMAGE_DIR', { default: 'var/images' })) } };
    }
    return {
      ...service,
      images: {
        kind,
        endpoint: env.string('GOODS_IMAGE_S3_ENDPOINT'),
        bucket: env.string('GOODS_IMAGE_S3_BUCKET'),
        region: env.string('GOODS_IMAGE_S3_REGION', { default: 'us-east-1' }),
        accessKeyId: env.string('GOODS_IMAGE_S3_ACCESS_KEY_ID'),
        secretAccessKey: env.string('GOODS_IMAGE_S3_SECRET_ACCESS_KEY'),
        prefix: env.string('GOODS_IMAGE_S3_PREFIX', { default: 'goods/' }),
        virtualHosted: env.bool('GOODS_IMAGE_S3_VIRTUAL_HOSTED', { default: false }),
        timeoutMs: env.int('GOODS_IMAGE_S3_TIMEOUT_MS', { default: 10_000, min: 100, max: 120_000 }),
      },
    };
  }, source);
}
