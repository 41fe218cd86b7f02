import type { EnvReader } from './env-reader';

/**
 * PAY_TIMEOUT_SECONDS, the time a confirmed order has to be paid. Its pay.timeout half message
 * must still be checked back at the deadline: the broker gives up on a half message after
 * transactionCheckMax checks, one per transactionCheckInterval (RMQ_TX_CHECK_MAX,
 * RMQ_TX_CHECK_INTERVAL_MS, the broker's own settings), so the deadline must come well before
 * that. A configuration where it does not is refused at start-up.
 */
export function readPayTimeout(env: EnvReader, fail: (problem: string) => void): number {
  const seconds = env.int('PAY_TIMEOUT_SECONDS', { default: 300, min: 10, max: 86_400 });
  const checks = env.int('RMQ_TX_CHECK_MAX', { default: 300, min: 1 });
  const intervalMs = env.int('RMQ_TX_CHECK_INTERVAL_MS', { default: 2_000, min: 100 });
  const windowSeconds = (checks * intervalMs) / 1000;
  // Keep a fifth of the window (and at least a minute) for the checks after the deadline.
  if (seconds > windowSeconds * 0.8 || seconds > windowSeconds - 60) {
    fail(`PAY_TIMEOUT_SECONDS=${seconds} must stay below the broker's check-back window (RMQ_TX_CHECK_MAX x RMQ_TX_CHECK_INTERVAL_MS = ${windowSeconds} s) with a margin: at most ${Math.floor(Math.min(windowSeconds * 0.8, windowSeconds - 60))} s`);
  }
  return seconds;
}
