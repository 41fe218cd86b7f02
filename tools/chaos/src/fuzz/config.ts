/** The fuzz run's settings, from the environment (all optional). */
import { join, resolve } from 'node:path';
import { DOORS, type Door } from './openapi';

const doorList = (value: string | undefined): Door[] => {
  if (value === undefined || value.trim() === '') return [...DOORS];
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(DOORS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`FUZZ_DOORS: unknown front door ${unknown.join(', ')} (one or more of ${DOORS.join(', ')})`);
  return DOORS.filter((door) => names.includes(door));
};

export interface FuzzConfig {
  /** Everything a run generates derives from it: the same seed replays the same requests. */
  seed: number;
  /** Generated requests per front door (order-web, pay-web). */
  requestsPerDoor: number;
  /** The front doors fuzzed (FUZZ_DOORS=pay-web replays one door after a fix); both by default. */
  doors: Door[];
  /** Forms posted to Alipay's notify endpoint. */
  notifyForms: number;
  orderWeb: string;
  payWeb: string;
  gateway: string;
  /** Per-request timeout: an answer slower than this is a hang. */
  timeoutMs: number;
  /** Longest wait for the state to settle after an accepted request. */
  settleTimeoutMs: number;
  /** How long to watch the state after the last request (the 20 s test pay deadline plus margin). */
  finalWatchMs: number;
  /** Alipay keys of the local gateway and the app id it notifies for. */
  alipayKeysDir: string;
  alipayAppId: string;
  admin: { username: string; password: string };
  /** Where the report goes (tools/chaos/reports). */
  reportDir: string;
  /** Requests between fixture top-ups (orders in every state again). */
  replenishEvery: number;
  /** Ceiling on every HTTP request of the run, fixture included (0: none). */
  maxHttp: number;
}

const int = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
  return parsed;
};

const REPO_ROOT = resolve(__dirname, '../../../..');

export function loadFuzzConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<FuzzConfig> = {}): FuzzConfig {
  return {
    seed: int(env.FUZZ_SEED, Math.floor(Math.random() * 2 ** 31), 'FUZZ_SEED'),
    requestsPerDoor: int(env.FUZZ_REQUESTS, 10_000, 'FUZZ_REQUESTS'),
    doors: doorList(env.FUZZ_DOORS),
    notifyForms: int(env.FUZZ_NOTIFY_FORMS, 2000, 'FUZZ_NOTIFY_FORMS'),
    orderWeb: `http://127.0.0.1:${env.ORDER_WEB_PORT ?? 7001}`,
    payWeb: `http://127.0.0.1:${env.PAY_WEB_PORT ?? 7002}`,
    gateway: `http://127.0.0.1:${env.ALIPAY_GATEWAY_PORT ?? 7009}`,
    timeoutMs: int(env.FUZZ_TIMEOUT_MS, 15_000, 'FUZZ_TIMEOUT_MS'),
    settleTimeoutMs: int(env.FUZZ_SETTLE_TIMEOUT_MS, 45_000, 'FUZZ_SETTLE_TIMEOUT_MS'),
    finalWatchMs: int(env.FUZZ_FINAL_WATCH_MS, 25_000, 'FUZZ_FINAL_WATCH_MS'),
    // Where system.sh keeps them: ALIPAY_KEYS_DIR, else $SHOP_VAR_DIR/alipay, else var/alipay.
    alipayKeysDir: resolve(REPO_ROOT, env.ALIPAY_KEYS_DIR ?? join(env.SHOP_VAR_DIR ?? 'var', 'alipay')),
    alipayAppId: env.ALIPAY_APP_ID ?? '2021000000000001',
    admin: { username: env.ADMIN_USERNAME ?? 'admin', password: env.ADMIN_PASSWORD ?? 'admin123' },
    reportDir: resolve(REPO_ROOT, env.FUZZ_REPORT_DIR ?? 'tools/chaos/reports'),
    replenishEvery: int(env.FUZZ_REPLENISH_EVERY, 250, 'FUZZ_REPLENISH_EVERY'),
    maxHttp: int(env.FUZZ_MAX_HTTP, 0, 'FUZZ_MAX_HTTP'),
    ...overrides,
  };
}
