/**
 * What a buyer does with a QR code, from the cashier page or the control API: scan it (the trade
 * then exists at Alipay), and pay, after which Alipay notifies the merchant.
 */
import type { Logger } from '@shop/common/log';
import { notificationsOf, type PayOptions } from '@shop/common/emulator';
import type { Notifier } from './notifier';
import type { Trade, TradeBook } from './trades';

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

  pay(outTradeNo: string, options: PayOptions = {}): Trade {
    const trade = this.trades.pay(outTradeNo);
    this.logger.info({ outTradeNo, notify: options.notify ?? 'normal' }, 'trade paid');
    const { count, firstAttemptDelayMs } = notificationsOf(options);
    if (!trade.notifyUrl || count === 0) return trade;
    this.notifier.notify(trade, trade.notifyUrl, { firstAttemptDelayMs });
    if (count === 2) this.notifier.notify(trade, trade.notifyUrl);
    return trade;
  }
}
