/**
 * Asynchronous notifications (trade_status_sync) to the merchant's notify_url, as Alipay sends
 * them: a form POST signed with the gateway's key over every field but `sign` and `sign_type`;
 * the merchant must answer the exact text `success`, otherwise Alipay tries again after 4m, 10m,
 * 10m, 1h, 2h, 6h and 15h (then gives up). The sandbox may hold back a notification's first
 * attempt, or drop it (notification-switch.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@shop/common/log';
import { toAlipayTime } from '@shop/contracts';
import { DelayedTasks, type NotificationSwitch } from '@shop/common/emulator';
import { rsa2Sign, signContent } from './rsa2';
import type { Trade } from './trades';

export const RETRY_DELAYS_MS = [4, 10, 10, 60, 120, 360, 900].map((minutes) => minutes * 60_000);

export interface NotifierOptions {
  appId: string;
  alipayPrivateKey: string;
  timeScale: number;
  logger: Logger;
  /** The sandbox switch consulted before every notification. */
  notificationSwitch: NotificationSwitch;
}

/** Recorded in a trade's attempts instead of an answer when the switch dropped a notification. */
export const DROPPED = 'dropped';

export class Notifier {
  /** The attempts to come, cancelled when the gateway stops. */
  private readonly tasks = new DelayedTasks();
  /**
   * Every delivery attempt, for the control API and tests: out_trade_no -> answers received
   * (`dropped` for a notification the sandbox switch lost).
   */
  readonly attempts = new Map<string, string[]>();
  /** The last notification sent (or dropped) per trade (signed form), for the control API. */
  readonly lastForms = new Map<string, Record<string, string>>();

  constructor(private readonly options: NotifierOptions) {}

  /** The signed form of a trade's notification (a new notify_id for each notification). */
  form(trade: Trade): Record<string, string> {
    const fields: Record<string, string> = {
      notify_time: toAlipayTime(new Date()),
      notify_type: 'trade_status_sync',
      notify_id: randomUUID().replace(/-/g, ''),
      app_id: this.options.appId,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      trade_status: trade.status,
      total_amount: trade.totalAmount,
      receipt_amount: trade.totalAmount,
      buyer_pay_amount: trade.totalAmount,
      subject: trade.subject,
      gmt_create: toAlipayTime(trade.createdAt),
      ...(trade.paidAt && { gmt_payment: toAlipayTime(trade.paidAt) }),
    };
    return { ...fields, sign: rsa2Sign(signContent(fields, ['sign', 'sign_type']), this.options.alipayPrivateKey) };
  }

  /**
   * Sends the notification (after `firstAttemptDelayMs`, plus whatever the sandbox switch adds)
   * and retries on Alipay's schedule until the merchant says success.
   */
  notify(trade: Trade, url: string, { firstAttemptDelayMs = 0 } = {}): void {
    const form = this.form(trade);
    this.lastForms.set(trade.outTradeNo, form);
    const fault = this.options.notificationSwitch.take();
    if (fault?.drop) {
      this.options.logger.info({ outTradeNo: trade.outTradeNo }, 'notification dropped (sandbox switch)');
      this.record(trade, DROPPED);
      return;
    }
    const attempt = async (retry: number): Promise<void> => {
      const answer = await post(url, form);
      this.record(trade, answer);
      if (answer === 'success') return;
      const delay = RETRY_DELAYS_MS[retry];
      if (delay === undefined) {
        this.options.logger.warn({ outTradeNo: trade.outTradeNo }, 'notification never acknowledged; giving up like Alipay');
        return;
      }
      this.options.logger.info(
        { outTradeNo: trade.outTradeNo, answer, retryInMs: delay * this.options.timeScale },
        'notification not acknowledged; will retry',
      );
      this.tasks.later(delay * this.options.timeScale, () => attempt(retry + 1));
    };
    this.tasks.later(firstAttemptDelayMs + (fault?.delayMs ?? 0), () => attempt(0));
  }

  private record(trade: Trade, answer: string): void {
    const answers = this.attempts.get(trade.outTradeNo) ?? [];
    answers.push(answer);
    this.attempts.set(trade.outTradeNo, answers);
  }

  stop(): void {
    this.tasks.stop();
  }
}

/** POSTs the form; the answer text, or a description of the failure. */
async function post(url: string, form: Record<string, string>): Promise<string> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const text = (await response.text()).trim();
    return response.ok ? text : `HTTP ${response.status}: ${text.slice(0, 100)}`;
  } catch (error) {
    return `unreachable: ${String(error)}`;
  }
}
