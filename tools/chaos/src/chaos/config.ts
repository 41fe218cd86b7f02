/** The harness's settings, from the environment. */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../../..');

export interface ChaosConfig {
  seconds: number;
  concurrency: number;
  seed: number;
  /** A defect planted on purpose in the services (SHOP_PLANTED_DEFECT), to prove the harness sees it. */
  plant: string;
  /** How long the system may take to settle after the load before the invariants are checked. */
  settleTimeoutMs: number;
  /** Start the system (infra.sh, system.sh) before the run; off when the caller started it. */
  bringUp: boolean;
  reportDir: string;
  orderWeb: string;
  payWeb: string;
  /** The local Alipay gateway. */
  gateway: string;
  /** The local WeChat Pay gateway. */
  wechatGateway: string;
  /**
   * The infrastructure's shape (SHOP_TOPOLOGY, else the running one): `cluster` adds the faults
   * only a cluster has, a ZooKeeper leader and a broker master killed.
   */
  topology: 'standalone' | 'cluster';
}

function int(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, not ${raw}`);
  return value;
}

export function loadChaosConfig(): ChaosConfig {
  return {
    seconds: int('CHAOS_SECONDS', 300, 10, 86_400),
    concurrency: int('CHAOS_CONCURRENCY', 16, 1, 256),
    seed: int('CHAOS_SEED', randomInt(1, 2 ** 31), 0, 2 ** 31),
    plant: process.env.CHAOS_PLANT ?? '',
    settleTimeoutMs: int('CHAOS_SETTLE_SECONDS', 180, 10, 3_600) * 1000,
    bringUp: process.env.CHAOS_BRING_UP !== '0',
    reportDir: process.env.CHAOS_REPORT_DIR ?? path.join(ROOT, 'reports'),
    orderWeb: `http://127.0.0.1:${process.env.ORDER_WEB_PORT ?? 7001}`,
    payWeb: `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`,
    gateway: `http://127.0.0.1:${process.env.ALIPAY_GATEWAY_PORT ?? 7009}`,
    wechatGateway: `http://127.0.0.1:${process.env.WECHATPAY_GATEWAY_PORT ?? 7010}`,
    topology: runningTopology(),
  };
}

function runningTopology(): ChaosConfig['topology'] {
  let topology = process.env.SHOP_TOPOLOGY;
  if (!topology) {
    try {
      topology = readFileSync(path.join(process.env.SHOP_VAR_DIR ?? path.join(ROOT, 'var'), 'run', 'topology'), 'utf8').trim();
    } catch {
      topology = 'standalone';
    }
  }
  if (topology !== 'standalone' && topology !== 'cluster') throw new Error(`SHOP_TOPOLOGY must be standalone or cluster, not ${topology}`);
  return topology;
}
