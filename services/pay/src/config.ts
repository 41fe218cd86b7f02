import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type EnvReader } from '@shop/common/config';
import { readServiceConfig, type ServiceConfig } from '@shop/common/service';
import { readPayExpiryMargin, readPayTimeout } from '@shop/contracts';
import type { AlipaySettings } from './alipay/alipay-client';

export interface PayConfig extends ServiceConfig {
  alipay: AlipaySettings;
  /** Where Alipay posts its notifications (pay-web's /api/v1/notify/alipay, reachable by Alipay). */
  notifyUrl: string;
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
      notifyUrl: readNotifyUrl(env, fail, service.infra.env === 'production'),
      payTimeoutSeconds: readPayTimeout(env, fail),
      payExpiryMarginSeconds: readPayExpiryMargin(env),
      sweepIntervalMs: env.int('PAY_SWEEP_INTERVAL_MS', { default: 30_000, min: 1_000 }),
      refundLeaseMs: env.int('PAY_REFUND_LEASE_MS', { default: 30_000, min: 5_000, max: 600_000 }),
      faultInjection,
    };
  }, source);
}

/** Hosts Alipay cannot reach: a notify URL on one of them never gets a notification. */
const LOCAL_HOST = /^(localhost|127\.[0-9.]+|0\.0\.0\.0|\[::1?\])$/i;

/**
 * Where Alipay sends payment notifications (pay-web's /api/v1/notify/alipay as the internet
 * reaches it). In production it must be set, http(s), and not a local address: payments would
 * then be known only through queries and check-backs, minutes late.
 */
function readNotifyUrl(env: EnvReader, fail: (problem: string) => void, production: boolean): string {
  const url = env.string('PAY_NOTIFY_URL', { default: production ? undefined : 'http://127.0.0.1:7002/api/v1/notify/alipay' });
  if (!production) return url;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    fail(`PAY_NOTIFY_URL="${url}" is not a URL`);
    return url;
  }
  if (!/^https?:$/.test(parsed.protocol)) fail('PAY_NOTIFY_URL must be an http(s) URL');
  else if (LOCAL_HOST.test(parsed.hostname)) fail('PAY_NOTIFY_URL points at a local address in production: Alipay cannot reach it');
  return url;
}
