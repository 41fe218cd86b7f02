import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from '@shop/common/config';
import { BILL_READY_AFTER_MINUTES } from './bills';
import { DEFAULT_MCHID, KEY_FILES, type KeyIds } from './generate-keys';
import { SIGNING_MODES, type SigningMode } from './signer';

export interface GatewayConfig {
  host: string;
  port: number;
  /** The base URL the gateway tells others about (bill download links, cashier pages). */
  publicUrl: string;
  mchid: string;
  /** The app the merchant's orders are made for (bound to mchid). */
  appid: string;
  /** The merchant's API certificate (PEM): its key verifies requests, its serial is the Authorization's serial_no. */
  merchantCertificate: string;
  merchantSerial: string;
  /** The platform certificate (PEM) and its private key: signing in `certificate` mode, served by /v3/certificates. */
  platformCertificate: string;
  platformPrivateKey: string;
  platformSerial: string;
  /** The WeChat Pay public key's id and private half: signing in `public_key` mode. */
  publicKeyId: string;
  publicKeyPrivateKey: string;
  /** The merchant's APIv3 key (32 characters): encrypts notification resources and certificates. */
  apiV3Key: string;
  /** What signs answers and notifications at start (the sandbox may switch it). */
  signWith: SigningMode;
  /**
   * Multiplies WeChat's notification retry delays (15s, 15s, 30s, 3m ... 6h): 1 is real time,
   * 0.001 turns fifteen seconds into fifteen milliseconds (tests).
   */
  notifyTimeScale: number;
  /** How long a refund stays PROCESSING before it succeeds (real milliseconds, not scaled). */
  refundDelayMs: number;
  /**
   * Minutes after a day's end (China time) from which its bill is served: 600 as WeChat (10:00
   * the next day); the test profile serves the day's bill so far (-1440), as the Alipay emulator does.
   */
  billReadyAfterMinutes: number;
}

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return defineConfig((env, fail) => {
    const keysDir = resolve(env.string('WECHATPAY_KEYS_DIR', { default: 'var/wechatpay' }));
    const hint = `node web/wechatpay-gateway/dist/generate-keys.js ${keysDir} creates local keys`;
    const read = (name: string, file: string) => {
      const path = env.string(name, { default: join(keysDir, file) });
      try {
        return readFileSync(path, 'utf8');
      } catch {
        fail(`${name}: cannot read ${path} (${hint})`);
        return '';
      }
    };
    const serialOf = (name: string, pem: string) => {
      try {
        return pem ? new X509Certificate(pem).serialNumber.toUpperCase() : '';
      } catch {
        fail(`${name}: not an X.509 certificate`);
        return '';
      }
    };
    const ids = (() => {
      try {
        return JSON.parse(readFileSync(join(keysDir, KEY_FILES.ids), 'utf8')) as Partial<KeyIds>;
      } catch {
        return {};
      }
    })();

    const port = env.int('WECHATPAY_GATEWAY_PORT', { default: 7010, min: 0, max: 65535 });
    const scale = Number(env.string('WECHATPAY_NOTIFY_TIME_SCALE', { default: '1' }));
    if (!(scale > 0 && scale <= 1)) fail('WECHATPAY_NOTIFY_TIME_SCALE must be a number in (0, 1]');
    const merchantCertificate = read('WECHATPAY_MERCHANT_CERT_FILE', KEY_FILES.merchantCertificate);
    const platformCertificate = read('WECHATPAY_PLATFORM_CERT_FILE', KEY_FILES.platformCertificate);
    const apiV3Key = read('WECHATPAY_APIV3_KEY_FILE', KEY_FILES.apiV3Key).trim();
    if (apiV3Key && Buffer.byteLength(apiV3Key) !== 32) fail('WECHATPAY_APIV3_KEY_FILE: the APIv3 key must be 32 bytes');
    // ids.json's unless set: not the declared default, which .env.example shows (the same on
    // every checkout, whatever keys its var/wechatpay holds).
    const publicKeyId = env.string('WECHATPAY_PUBLIC_KEY_ID', { default: '' }) || (ids.publicKeyId ?? '');
    if (!/^PUB_KEY_ID_\d+$/.test(publicKeyId)) fail(`WECHATPAY_PUBLIC_KEY_ID: PUB_KEY_ID_ and digits expected, read from ${KEY_FILES.ids} (${hint})`);
    return {
      host: env.string('WECHATPAY_GATEWAY_HOST', { default: '127.0.0.1' }),
      port,
      publicUrl: env.string('WECHATPAY_GATEWAY_PUBLIC_URL', { default: `http://127.0.0.1:${port}` }),
      mchid: env.string('WECHATPAY_MCHID', { default: DEFAULT_MCHID }),
      appid: env.string('WECHATPAY_APPID', { default: 'wx8888888888888888' }),
      merchantCertificate,
      merchantSerial: serialOf('WECHATPAY_MERCHANT_CERT_FILE', merchantCertificate),
      platformCertificate,
      platformPrivateKey: read('WECHATPAY_PLATFORM_KEY_FILE', KEY_FILES.platformPrivateKey),
      platformSerial: serialOf('WECHATPAY_PLATFORM_CERT_FILE', platformCertificate),
      publicKeyId,
      publicKeyPrivateKey: read('WECHATPAY_PUBLIC_KEY_PRIVATE_KEY_FILE', KEY_FILES.publicKeyPrivateKey),
      apiV3Key,
      signWith: env.string('WECHATPAY_SIGN_WITH', { default: 'public_key', oneOf: SIGNING_MODES }) as SigningMode,
      notifyTimeScale: scale,
      refundDelayMs: env.int('WECHATPAY_REFUND_DELAY_MS', { default: 5_000, min: 0, max: 86_400_000 }),
      billReadyAfterMinutes: env.int('WECHATPAY_BILL_READY_AFTER_MINUTES', { default: BILL_READY_AFTER_MINUTES, min: -1_440, max: 2_880 }),
    };
  }, source);
}
