import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from '@shop/common/config';
import { KEY_FILES } from './generate-keys';

export interface GatewayConfig {
  host: string;
  port: number;
  /** The base URL the gateway tells others about (QR codes, bill links). */
  publicUrl: string;
  appId: string;
  /** Verifies the app's request signatures. */
  appPublicKey: string;
  /** Signs responses and notifications. */
  alipayPrivateKey: string;
  /**
   * Multiplies Alipay's notification retry delays (4m, 10m, 10m, 1h, 2h, 6h, 15h): 1 is real
   * time, 0.001 turns four minutes into a quarter of a second (tests).
   */
  notifyTimeScale: number;
}

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return defineConfig((env, fail) => {
    const keysDir = resolve(env.string('ALIPAY_KEYS_DIR', { default: 'var/alipay' }));
    const read = (name: string, file: string) => {
      const path = env.string(name, { default: join(keysDir, file) });
      try {
        return readFileSync(path, 'utf8');
      } catch {
        fail(`${name}: cannot read ${path} (node web/alipay-gateway/dist/generate-keys.js ${keysDir} creates local keys)`);
        return '';
      }
    };
    const port = env.int('ALIPAY_GATEWAY_PORT', { default: 7009, min: 0, max: 65535 });
    const scale = Number(env.string('ALIPAY_NOTIFY_TIME_SCALE', { default: '1' }));
    if (!(scale > 0 && scale <= 1)) fail('ALIPAY_NOTIFY_TIME_SCALE must be a number in (0, 1]');
    return {
      host: env.string('ALIPAY_GATEWAY_HOST', { default: '127.0.0.1' }),
      port,
      publicUrl: env.string('ALIPAY_GATEWAY_PUBLIC_URL', { default: `http://127.0.0.1:${port}` }),
      appId: env.string('ALIPAY_APP_ID', { default: '2021000000000001' }),
      appPublicKey: read('ALIPAY_APP_PUBLIC_KEY_FILE', KEY_FILES.appPublicKey),
      alipayPrivateKey: read('ALIPAY_GATEWAY_PRIVATE_KEY_FILE', KEY_FILES.alipayPrivateKey),
      notifyTimeScale: scale,
    };
  }, source);
}
