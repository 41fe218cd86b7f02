/**
 * .env.example, generated from the processes' config definitions (each process's config.ts and
 * the common readers they call), never written by hand: a setting added to a definition shows
 * here at the next `npm run env:example`, and a unit test (scripts/test/env-example.spec.ts)
 * fails while the committed file is out of date.
 *
 * Each loader runs under a recorder (common/src/config/env-reader.ts `recordSettings`) in a few
 * environments: development and production, then once more for every value of every "one of"
 * setting it read (GOODS_IMAGE_STORE=s3 reads the bucket's settings, RPC_TLS=off reads none of
 * the certificates), so that the settings only some choices read are listed too.
 *
 *   npm run env:example        writes .env.example
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { recordSettings, type SettingRead } from '@shop/common/config';
import { loadCouponConfig } from '../services/coupon/src/config';
import { loadGoodsConfig } from '../services/goods/src/config';
import { loadOrderConfig } from '../services/order/src/config';
import { loadPayConfig } from '../services/pay/src/config';
import { loadUserConfig } from '../services/user/src/config';
import { loadGatewayConfig as loadAlipayGatewayConfig } from '../web/alipay-gateway/src/config';
import { loadOrderWebConfig } from '../web/order-web/src/config';
import { loadSeedConfig } from '../web/order-web/src/seed-config';
import { loadPayWebConfig } from '../web/pay-web/src/config';
import { loadGatewayConfig as loadWechatpayGatewayConfig } from '../web/wechatpay-gateway/src/config';

export const ENV_EXAMPLE_FILE = path.resolve(__dirname, '..', '.env.example');

type Env = Record<string, string>;

/** Every process that reads settings, by the name operations.md and the logs use. */
const PROCESSES: { name: string; load: (source: Env) => unknown }[] = [
  { name: 'goods', load: loadGoodsConfig },
  { name: 'coupon', load: loadCouponConfig },
  { name: 'user', load: loadUserConfig },
  { name: 'order', load: loadOrderConfig },
  { name: 'pay', load: loadPayConfig },
  { name: 'order-web', load: loadOrderWebConfig },
  { name: 'pay-web', load: loadPayWebConfig },
  { name: 'alipay-gateway', load: loadAlipayGatewayConfig },
  { name: 'wechatpay-gateway', load: loadWechatpayGatewayConfig },
  { name: 'seed', load: loadSeedConfig },
];

const PROFILES = ['development', 'production'] as const;
/** Enough for every combination of the "one of" choices the definitions hold today, with room. */
const MAX_ENVIRONMENTS = 200;

interface Setting {
  read: SettingRead;
  readers: Set<string>;
  defaults: Partial<Record<(typeof PROFILES)[number], string | null>>;
  /** Named by a problem of a production process started with nothing else set. */
  requiredInProduction: boolean;
}

/** Every setting of every process, in the order first read, with its defaults per profile (null: required). */
export function collectSettings(): Map<string, Setting> {
  const settings = new Map<string, Setting>();
  for (const process of PROCESSES) {
    for (const profile of PROFILES) {
      const seen = new Set<string>();
      const queue: Env[] = [{ NODE_ENV: profile }];
      while (queue.length > 0 && seen.size < MAX_ENVIRONMENTS) {
        const env = queue.shift() as Env;
        const key = JSON.stringify(Object.entries(env).sort());
        if (seen.has(key)) continue;
        seen.add(key);
        const { settings: reads, problems } = recordSettings(() => process.load(env));
        for (const read of reads) {
          const setting = settings.get(read.name) ?? { read, readers: new Set<string>(), defaults: {}, requiredInProduction: false };
          settings.set(read.name, setting);
          setting.readers.add(process.name);
          if (!(profile in setting.defaults) || setting.defaults[profile] === null) setting.defaults[profile] = read.default ?? null;
          if (seen.size === 1 && profile === 'production' && problems.some((problem) => saysRequired(problem, read.name))) setting.requiredInProduction = true;
          // Explore the other choices of a "one of" setting this environment left to its default.
          if (read.oneOf && read.name !== 'NODE_ENV' && !(read.name in env)) {
            for (const choice of read.oneOf) queue.push({ ...env, [read.name]: choice });
          }
        }
      }
    }
  }
  return settings;
}

/**
 * Whether a problem says the setting is required ("JWT_SECRET is required", "RPC_TLS_CA, RPC_TLS_CERT
 * and RPC_TLS_KEY (or RPC_TLS_DIR) are required"), not merely names it ("when NODE_ENV=production")
 * or cannot read a file it names (which depends on this checkout's var/).
 */
function saysRequired(problem: string, name: string): boolean {
  return /\brequired\b/.test(problem) && new RegExp(`\\b${name}\\b(?!=)`).test(problem);
}

/** A default as this checkout resolved it, made relative to the repository (paths under var/). */
function portable(value: string): string {
  const root = path.resolve(__dirname, '..') + path.sep;
  return value.split(root).join('');
}

function describe(setting: Setting): string {
  const { read } = setting;
  const facts: string[] = [];
  if (read.oneOf) facts.push(`one of ${read.oneOf.join(', ')}`);
  else if (read.kind === 'int') {
    if (read.min !== undefined && read.max !== undefined) facts.push(`integer ${read.min}..${read.max}`);
    else if (read.min !== undefined) facts.push(`integer >= ${read.min}`);
    else facts.push('integer');
  } else if (read.kind === 'bool') facts.push('true or false');
  else if (read.kind === 'money') facts.push('an amount like 10.00');
  else if (read.kind === 'list') facts.push('comma-separated');
  const development = setting.defaults.development;
  const production = setting.defaults.production;
  if (development === null) facts.push('required');
  if ((production === null || setting.requiredInProduction) && development !== null) facts.push('required in production');
  else if (production !== undefined && production !== null && production !== development)
    facts.push(`production default: ${portable(production) || '(empty)'}`);
  return facts.join('; ');
}

/** The whole file: settings grouped by the processes that read them, the widest groups first. */
export function renderEnvExample(): string {
  const groups = new Map<string, Setting[]>();
  for (const setting of collectSettings().values()) {
    const readers = PROCESSES.map((process) => process.name).filter((name) => setting.readers.has(name));
    const key = readers.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), setting]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => b.split(', ').length - a.split(', ').length || a.localeCompare(b));
  const lines = [
    "# The settings of the shop's processes, generated from their config definitions by",
    '# `npm run env:example` (scripts/env-example.ts): do not edit; a unit test fails when it is out of date.',
    '#',
    '# Every setting is commented out with its default outside production (empty: none). A production',
    '# process (NODE_ENV unset or production) refuses to start without the ones marked "required in',
    '# production". What each one means: docs/operations.md. Check a set of values without starting',
    '# anything: `node services/order/dist/main.js --check` (any process).',
  ];
  for (const [readers, settings] of ordered) {
    lines.push('', `## read by ${readers}`);
    for (const setting of settings) {
      const facts = describe(setting);
      if (facts) lines.push(`# ${setting.read.name}: ${facts}`);
      lines.push(`#${setting.read.name}=${portable(setting.defaults.development ?? '')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  writeFileSync(ENV_EXAMPLE_FILE, renderEnvExample());
  console.log(`wrote ${path.relative(process.cwd(), ENV_EXAMPLE_FILE)}`);
}
