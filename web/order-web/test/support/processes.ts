/** Stops and starts the running system's processes (deploy/local/system.sh), for the specs that kill them. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// SHOP_SYSTEM_ROOT: the checkout whose system runs (another one than this, to test older code).
const ROOT = process.env.SHOP_SYSTEM_ROOT ?? path.resolve(__dirname, '../../../..');

export type ProcessName = 'goods' | 'coupon' | 'user' | 'order' | 'pay' | 'order-web' | 'pay-web' | 'alipay-gateway';

export function pidOf(name: ProcessName): number {
  return Number(readFileSync(path.join(ROOT, 'var/run', `${name}.pid`), 'utf8'));
}

/** SIGKILL: no graceful stop, nothing unregistered, in-flight work cut where it stands. */
export function kill(name: ProcessName): void {
  process.kill(pidOf(name), 'SIGKILL');
}

/** Starts the process if it is not running (in the running system's profile); waits until it is ready. */
export function start(name: ProcessName): void {
  execFileSync('bash', [path.join(ROOT, 'deploy/local/system.sh'), 'start', name], { stdio: 'ignore' });
}
