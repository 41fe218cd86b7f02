/**
 * What a buyer does with a QR code, from the cashier page or the control API: scan it (the trade
 * then exists at Alipay), and pay, after which Alipay notifies the merchant.
 */
import type { Logger } from '@shop/common/log';
import { DEFAULT_NOTIFICATION_DELAY_MS } from './notification-switch';
import type { Notifier } from './notifier';
import type { Trade, TradeBook } from './trades';

/**
 * How the payment's notification goes: `none` never sends it, `duplicate` sends it twice,
 * `delayed` holds back its first attempt by `delayMs`.
 */
export type NotifyMode = 'normal' | 'none' | 'duplicate' | 'delayed';

export interface PayOptions {
  notify?: NotifyMode;
  delayMs?: number;
}

export class Buyer {
  constructor(
    private readonly trades: TradeBook,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
  ) {}

  scan(outTradeNo: string): Trade {
    const trade = this.trades.scan(outTradeNo);
    this.logger.info({ outTradeNo }, 'QR code scanned');
    return trade;
  }

  pay(outTradeNo: string, { notify = 'normal', delayMs }: PayOptions = {}): Trade {
    const trade = this.trades.pay(outTradeNo);
    this.logger.info({ outTradeNo, notify }, 'trade paid');
    if (!trade.notifyUrl || notify === 'none') return trade;
    const firstAttemptDelayMs = notify === 'delayed' ? (delayMs ?? DEFAULT_NOTIFICATION_DELAY_MS) : 0;
    this.notifier.notify(trade, trade.notifyUrl, { firstAttemptDelayMs });
    if (notify === 'duplicate') this.notifier.notify(trade, trade.notifyUrl);
    return trade;
  }
}
