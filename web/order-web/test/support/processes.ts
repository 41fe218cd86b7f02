/**
 * Stops and starts the running system's processes (deploy/local/system.sh), for the specs that
 * kill them. With replicas (SHOP_REPLICAS=2 npm run up), a process is every instance of it:
 * "the user service down" is user and user-2 down.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// SHOP_SYSTEM_ROOT: the checkout whose system runs (another one than this, to test older code).
const ROOT = process.env.SHOP_SYSTEM_ROOT ?? path.resolve(__dirname, '../../../..');
const RUN_DIR = path.join(ROOT, 'var/run');

export type ProcessName = 'goods' | 'coupon' | 'user' | 'order' | 'pay' | 'order-web' | 'pay-web' | 'alipay-gateway';

/** The pid of the process's first instance. */
export function pidOf(name: ProcessName): number {
  return Number(readFileSync(path.join(RUN_DIR, `${name}.pid`), 'utf8'));
}

/** The pid of one instance (order, order-2). */
export function instancePid(instance: string): number {
  return Number(readFileSync(path.join(RUN_DIR, `${instance}.pid`), 'utf8'));
}

/** The instances the running system has of a process (system.sh records SHOP_REPLICAS at `up`). */
export function instancesOf(name: ProcessName): string[] {
  const file = path.join(RUN_DIR, 'replicas');
  const replicas = name === 'alipay-gateway' || !existsSync(file) ? 1 : Number(readFileSync(file, 'utf8'));
  return [name, ...Array.from({ length: replicas - 1 }, (_, i) => `${name}-${i + 2}`)];
}

/** SIGKILL of every instance: no graceful stop, nothing unregistered, in-flight work cut where it stands. */
export function kill(name: ProcessName): void {
  for (const instance of instancesOf(name)) {
    if (!existsSync(path.join(RUN_DIR, `${instance}.pid`))) continue;
    try {
      process.kill(instancePid(instance), 'SIGKILL');
    } catch {
      // Not running: nothing to kill.
    }
  }
}

/** Starts every instance not running (in the running system's profile); waits until each is ready. */
export function start(name: ProcessName): void {
  for (const instance of instancesOf(name)) execFileSync('bash', [path.join(ROOT, 'deploy/local/system.sh'), 'start', instance], { stdio: 'ignore' });
}
