import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type EnvReader } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';
import { readPayExpiryMargin, readPayTimeout } from '@shop/contracts';
import type { AlipaySettings } from './alipay/alipay-client';
import type { ChannelRules } from './channels/channel-registry';
import { CHANNEL_NAMES, type ChannelName } from './domain/ports';
import type { WechatPaySettings } from './wechatpay/wechatpay-client';

export interface PayConfig extends ServiceConfig {
  alipay: AlipaySettings;
  /** Where Alipay posts its notifications (pay-web's /api/v1/notify/alipay, reachable by Alipay). */
  notifyUrl: string;
  /** Absent when WeChat Pay is not set up (production with PAY_CHANNELS leaving it out and no WECHATPAY_MCHID). */
  wechatPay?: WechatPaySettings;
  /** Where WeChat Pay posts payment and refund notifications (pay-web's /api/v1/notify/wechatpay). */
  wechatPayNotifyUrl: string;
  channelRules: ChannelRules;
  payTimeoutSeconds: number;
  /** How long after its deadline a QR code nobody scanned is taken as dead (see readPayExpiryMargin). */
  payExpiryMarginSeconds: number;
  /** How often the sweepers look for unpaid payments past their deadline, and refunds to carry on. */
  sweepIntervalMs: number;
  /** How long a runner may hold a refund before another instance may take it over. */
  refundLeaseMs: number;
  /** Honour the x-shop-fault request metadata (tests); refused in production. */
  faultInjection: boolean;
}

export function loadPayConfig(source: NodeJS.ProcessEnv = process.env): PayConfig {
  return defineConfig((env, fail) => {
    const service = readServiceConfig(env, fail, 'pay');
    const production = service.infra.env === 'production';
    const channels = readChannels(env, fail, production);
    // Production takes WeChat Pay once it is set up (its merchant id given); locally the gateway's keys are there.
    const wechatPaySetUp = channels.includes('WECHAT_NATIVE') || !production || env.string('WECHATPAY_MCHID', { default: '' }) !== '';
    const keysDir = resolve(env.string('ALIPAY_KEYS_DIR', { default: 'var/alipay' }));
    const pem = (name: string, file: string) => {
      const path = env.string(name, { default: service.infra.env === 'production' ? undefined : `${keysDir}/${file}` });
      try {
        return path ? readFileSync(path, 'utf8') : '';
      } catch {
        fail(`${name}: cannot read ${path}`);
        return '';
      }
    };
    const faultInjection = env.bool('FAULT_INJECTION', { default: service.infra.env !== 'production' });
    if (faultInjection && service.infra.env === 'production') fail('FAULT_INJECTION must be off when NODE_ENV=production');
    const gateway = env.string('ALIPAY_GATEWAY', { default: service.infra.env === 'production' ? undefined : 'http://127.0.0.1:7009/gateway.do' });
    if (service.infra.env === 'production' && /127\.0\.0\.1|localhost/.test(gateway)) fail('ALIPAY_GATEWAY points at the local emulator in production');
    return {
      ...service,
      alipay: {
        appId: env.string('ALIPAY_APP_ID', { default: service.infra.env === 'production' ? undefined : '2021000000000001' }),
        appPrivateKey: pem('ALIPAY_APP_PRIVATE_KEY_FILE', 'app-private-key.pem'),
        alipayPublicKey: pem('ALIPAY_PUBLIC_KEY_FILE', 'alipay-public-key.pem'),
        gateway,
        timeoutMs: env.int('ALIPAY_TIMEOUT_MS', { default: 5_000, min: 500, max: 60_000 }),
      },
      notifyUrl: readNotifyUrl(env, fail, production, 'PAY_NOTIFY_URL', 'alipay'),
      ...(wechatPaySetUp && {
        wechatPay: readWechatPay(env, fail, production),
      }),
      wechatPayNotifyUrl: wechatPaySetUp ? readNotifyUrl(env, fail, production, 'WECHATPAY_NOTIFY_URL', 'wechatpay') : '',
      channelRules: {
        enabled: channels,
        maxAmount: Object.fromEntries(
          CHANNEL_NAMES.map((name) => [name, env.string(`PAY_MAX_AMOUNT_${name}`, { default: '' })] as const)
            .filter(([, max]) => max !== '')
            .map(([name, max]) => {
              if (!/^\d{1,12}(\.\d{1,2})?$/.test(max)) fail(`PAY_MAX_AMOUNT_${name} must be an amount in yuan, e.g. 50000.00`);
              return [name, max];
            }),
        ),
        downForMs: env.int('PAY_CHANNEL_DOWN_SECONDS', { default: 30, min: 1, max: 3_600 }) * 1000,
      },
      payTimeoutSeconds: readPayTimeout(env, fail),
      payExpiryMarginSeconds: readPayExpiryMargin(env),
      sweepIntervalMs: env.int('PAY_SWEEP_INTERVAL_MS', { default: 30_000, min: 1_000 }),
      refundLeaseMs: env.int('PAY_REFUND_LEASE_MS', { default: 30_000, min: 5_000, max: 600_000 }),
      faultInjection,
    };
  }, source);
}

/**
 * PAY_CHANNELS: the channels open to new payments, in order of preference. Production starts
 * with Alipay alone: WeChat Pay is added once its merchant account is set up.
 */
function readChannels(env: EnvReader, fail: (problem: string) => void, production: boolean): ChannelName[] {
  const names = env.list('PAY_CHANNELS', { default: production ? ['ALIPAY_QR'] : [...CHANNEL_NAMES] });
  const unknown = names.filter((name) => !(CHANNEL_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) fail(`PAY_CHANNELS: unknown channel ${unknown.join(', ')} (known: ${CHANNEL_NAMES.join(', ')})`);
  return names as ChannelName[];
}

/**
 * WeChat Pay: the merchant's ids and keys. Locally they come from the keys the local gateway made
 * (WECHATPAY_KEYS_DIR, ids.json); in production every one is required (docs/operations.md,
 * "Going live with WeChat Pay"). Both verification modes: the WeChat Pay public key
 * (WECHATPAY_PUBLIC_KEY_ID + _FILE) and/or the platform certificate (WECHATPAY_PLATFORM_CERT_FILE).
 */
function readWechatPay(env: EnvReader, fail: (problem: string) => void, production: boolean): WechatPaySettings {
  const keysDir = resolve(env.string('WECHATPAY_KEYS_DIR', { default: 'var/wechatpay' }));
  const local = (value: string) => (production ? undefined : value);
  // Every setting is read whatever the files say, so that .env.example does not depend on var/.
  const paths = {
    merchantPrivateKey: env.string('WECHATPAY_MERCHANT_PRIVATE_KEY_FILE', { default: local(`${keysDir}/apiclient_key.pem`) }),
    merchantCertificate: env.string('WECHATPAY_MERCHANT_CERT_FILE', { default: local(`${keysDir}/apiclient_cert.pem`) ?? '' }),
    publicKey: env.string('WECHATPAY_PUBLIC_KEY_FILE', { default: local(`${keysDir}/pub_key.pem`) ?? '' }),
    platformCertificate: env.string('WECHATPAY_PLATFORM_CERT_FILE', { default: local(`${keysDir}/wechatpay_platform_cert.pem`) ?? '' }),
    apiV3Key: env.string('WECHATPAY_APIV3_KEY_FILE', { default: local(`${keysDir}/apiv3_key.txt`) }),
  };
  const baseUrl = env.string('WECHATPAY_BASE_URL', { default: local('http://127.0.0.1:7010') });
  const mchid = env.string('WECHATPAY_MCHID', { default: local('1900000109') });
  const appid = env.string('WECHATPAY_APPID', { default: local('wx8888888888888888') });
  const givenSerial = env.string('WECHATPAY_MERCHANT_SERIAL', { default: '' });
  const givenPublicKeyId = env.string('WECHATPAY_PUBLIC_KEY_ID', { default: '' });
  const timeoutMs = env.int('WECHATPAY_TIMEOUT_MS', { default: 5_000, min: 500, max: 60_000 });
  if (production && /127\.0\.0\.1|localhost/.test(baseUrl)) fail('WECHATPAY_BASE_URL points at the local emulator in production');

  const read = (name: string, path: string, required: boolean) => {
    if (!path) return '';
    try {
      return readFileSync(path, 'utf8');
    } catch {
      if (required) fail(`${name}: cannot read ${path}`);
      return '';
    }
  };
  // Locally the public key's id is the one the gateway made (ids.json beside its keys).
  const publicKeyId = givenPublicKeyId || (production ? '' : localPublicKeyId(keysDir));
  const publicKey = publicKeyId ? read('WECHATPAY_PUBLIC_KEY_FILE', paths.publicKey, true) : '';
  const platformCertificate = read('WECHATPAY_PLATFORM_CERT_FILE', paths.platformCertificate, production && !publicKeyId);
  const verifiers: Record<string, string> = {};
  if (publicKeyId && publicKey) verifiers[publicKeyId] = publicKey;
  if (platformCertificate) {
    try {
      verifiers[new X509Certificate(platformCertificate).serialNumber.toUpperCase()] = platformCertificate;
    } catch {
      fail('WECHATPAY_PLATFORM_CERT_FILE: not an X.509 certificate');
    }
  }
  const apiV3Key = read('WECHATPAY_APIV3_KEY_FILE', paths.apiV3Key, true).trim();
  if (apiV3Key && Buffer.byteLength(apiV3Key) !== 32) fail('WECHATPAY_APIV3_KEY_FILE: the APIv3 key must be 32 bytes');
  const merchantCertificate = read('WECHATPAY_MERCHANT_CERT_FILE', paths.merchantCertificate, false);
  let merchantSerial = givenSerial;
  if (!merchantSerial && merchantCertificate) {
    try {
      merchantSerial = new X509Certificate(merchantCertificate).serialNumber.toUpperCase();
    } catch {
      fail('WECHATPAY_MERCHANT_CERT_FILE: not an X.509 certificate');
    }
  }
  if (!merchantSerial && production) fail('WECHATPAY_MERCHANT_SERIAL (or WECHATPAY_MERCHANT_CERT_FILE) is required');
  return {
    baseUrl,
    mchid,
    appid,
    merchantSerial,
    merchantPrivateKey: read('WECHATPAY_MERCHANT_PRIVATE_KEY_FILE', paths.merchantPrivateKey, true),
    apiV3Key,
    verifiers,
    ...(publicKeyId && { publicKeyId }),
    timeoutMs,
  };
}

function localPublicKeyId(keysDir: string): string {
  try {
    return String((JSON.parse(readFileSync(`${keysDir}/ids.json`, 'utf8')) as { publicKeyId?: unknown }).publicKeyId ?? '');
  } catch {
    return '';
  }
}

/** Hosts a channel cannot reach: a notify URL on one of them never gets a notification. */
const LOCAL_HOST = /^(localhost|127\.[0-9.]+|0\.0\.0\.0|\[::1?\])$/i;

/**
 * Where a channel sends payment notifications (pay-web's /api/v1/notify/<channel> as the internet
 * reaches it). In production it must be set, http(s), and not a local address: payments would
 * then be known only through queries and check-backs, minutes late.
 */
function readNotifyUrl(env: EnvReader, fail: (problem: string) => void, production: boolean, name: string, path: string): string {
  const url = env.string(name, { default: production ? undefined : `http://127.0.0.1:7002/api/v1/notify/${path}` });
  if (!production) return url;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    fail(`${name}="${url}" is not a URL`);
    return url;
  }
  if (!/^https?:$/.test(parsed.protocol)) fail(`${name} must be an http(s) URL`);
  else if (LOCAL_HOST.test(parsed.hostname)) fail(`${name} points at a local address in production: the channel cannot reach it`);
  return url;
}
