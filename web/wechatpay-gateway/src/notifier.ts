/**
 * Notifications to the merchant's notify_url, as WeChat Pay sends them: a JSON POST
 * `{id, create_time, resource_type: "encrypt-resource", event_type, summary, resource}` whose
 * `resource` is the transaction or refund encrypted with the merchant's APIv3 key
 * (AEAD_AES_256_GCM), signed like an answer (Wechatpay-* headers, by the key the signing mode
 * names). The merchant must answer HTTP 200 or 204 within five seconds; anything else is tried
 * again after 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h and 6h (24h4m in
 * all, times WECHATPAY_NOTIFY_TIME_SCALE), then given up. Every attempt carries the same body
 * (same id) and a fresh signature, so that its timestamp passes the merchant's five-minute check.
 * The sandbox may hold back a notification's first attempt, or drop it (notification-switch.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@shop/common/log';
import { toWechatTime } from './china-time';
import { DelayedTasks, type NotificationSwitch } from '@shop/common/emulator';
import { newRequestId, type Signer } from './signer';
import { aesGcmEncrypt } from './wechat-crypto';

export const RETRY_DELAYS_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600].map((seconds) => seconds * 1000);

/** How long the merchant has to answer an attempt. */
export const NOTIFICATION_TIMEOUT_MS = 5_000;

export interface NotificationEvent {
  /** What the ledger files the attempts under: the order's out_trade_no or the refund's out_refund_no. */
  key: string;
  eventType: string;
  summary: string;
  originalType: 'transaction' | 'refund';
  resource: Record<string, unknown>;
}

/** A notification as sent (or as it would have been, when dropped): its headers and exact body. */
export interface SentNotification {
  headers: Record<string, string>;
  body: string;
}

export interface NotifierOptions {
  apiV3Key: string;
  signer: Signer;
  timeScale: number;
  logger: Logger;
  /** The sandbox switch consulted before every notification. */
  notificationSwitch: NotificationSwitch;
  /** The gateway's business clock (create_time). */
  now: () => Date;
}

/** Recorded in the attempts instead of an answer when the switch dropped a notification. */
export const DROPPED = 'dropped';

export class Notifier {
  /** The attempts to come, cancelled when the gateway stops. */
  private readonly tasks = new DelayedTasks();
  /** Every delivery attempt, for the control API and tests: key -> answers ("HTTP 200", "unreachable: ..."). */
  readonly attempts = new Map<string, string[]>();
  /** The last notification sent (or dropped) per key. */
  readonly lastSent = new Map<string, SentNotification>();

  constructor(private readonly options: NotifierOptions) {}

  /** The notification's body: a new id, the resource encrypted under a fresh nonce. */
  body(event: NotificationEvent): string {
    const { ciphertext, nonce } = aesGcmEncrypt(JSON.stringify(event.resource), this.options.apiV3Key, event.originalType);
    return JSON.stringify({
      id: randomUUID(),
      create_time: toWechatTime(this.options.now()),
      resource_type: 'encrypt-resource',
      event_type: event.eventType,
      summary: event.summary,
      resource: { original_type: event.originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: event.originalType, nonce },
    });
  }

  /**
   * Sends the notification (after `firstAttemptDelayMs`, plus whatever the sandbox switch adds)
   * and retries on WeChat's schedule until the merchant acknowledges it. `duplicate` delivers the
   * same notification twice, as WeChat may.
   */
  notify(event: NotificationEvent, url: string, { firstAttemptDelayMs = 0, duplicate = false } = {}): void {
    const body = this.body(event);
    this.deliver(event.key, url, body, firstAttemptDelayMs);
    if (duplicate) this.deliver(event.key, url, body, firstAttemptDelayMs);
  }

  private deliver(key: string, url: string, body: string, firstAttemptDelayMs: number): void {
    const fault = this.options.notificationSwitch.take();
    if (fault?.drop) {
      this.options.logger.info({ key }, 'notification dropped (sandbox switch)');
      this.lastSent.set(key, { headers: this.headers(body), body });
      this.record(key, DROPPED);
      return;
    }
    const attempt = async (retry: number): Promise<void> => {
      const headers = this.headers(body);
      this.lastSent.set(key, { headers, body });
      const answer = await post(url, headers, body);
      this.record(key, answer);
      if (answer === 'HTTP 200' || answer === 'HTTP 204') return;
      const delay = RETRY_DELAYS_MS[retry];
      if (delay === undefined) {
        this.options.logger.warn({ key }, 'notification never acknowledged; giving up like WeChat Pay');
        return;
      }
      this.options.logger.info({ key, answer, retryInMs: delay * this.options.timeScale }, 'notification not acknowledged; will retry');
      this.tasks.later(delay * this.options.timeScale, () => attempt(retry + 1));
    };
    this.tasks.later(firstAttemptDelayMs + (fault?.delayMs ?? 0), () => attempt(0));
  }

  private headers(body: string): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      'Request-ID': newRequestId(),
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
      ...this.options.signer.headers(body),
    };
  }

  private record(key: string, answer: string): void {
    const answers = this.attempts.get(key) ?? [];
    answers.push(answer);
    this.attempts.set(key, answers);
  }

  stop(): void {
    this.tasks.stop();
  }
}

/** POSTs the notification; "HTTP <status>" (with the start of the answer when not 200/204), or why it failed. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<string> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(NOTIFICATION_TIMEOUT_MS) });
    const text = (await response.text()).trim();
    return response.status === 200 || response.status === 204 ? `HTTP ${response.status}` : `HTTP ${response.status}: ${text.slice(0, 100)}`;
  } catch (error) {
    return `unreachable: ${String(error)}`;
  }
}
