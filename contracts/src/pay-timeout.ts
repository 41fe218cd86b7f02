import type { EnvReader } from '@shop/common/config';

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
    fail(
      `PAY_TIMEOUT_SECONDS=${seconds} must stay below the broker's check-back window (RMQ_TX_CHECK_MAX x RMQ_TX_CHECK_INTERVAL_MS = ${windowSeconds} s) with a margin: at most ${Math.floor(Math.min(windowSeconds * 0.8, windowSeconds - 60))} s`,
    );
  }
  return seconds;
}

/**
 * PAY_EXPIRY_MARGIN_SECONDS: how long after an order's pay deadline its Alipay QR code is taken
 * to be unusable. Alipay stops accepting a QR code at its time_expire by Alipay's own clock;
 * until a buyer scans it, Alipay knows no trade (ACQ.TRADE_NOT_EXIST), so nothing can be closed
 * and only time makes it safe. The margin covers the difference between the clocks. The order
 * service's deadline timer fires this long after the deadline, so that its question to the pay
 * service can be answered at once.
 */
export function readPayExpiryMargin(env: EnvReader): number {
  return env.int('PAY_EXPIRY_MARGIN_SECONDS', { default: 10, min: 0, max: 600 });
}
