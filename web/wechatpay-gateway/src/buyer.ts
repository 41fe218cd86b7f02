/**
 * What the buyer does with a Native order's QR code, from the cashier page or the control API:
 * pay it in the WeChat app, after which WeChat Pay notifies the merchant (TRANSACTION.SUCCESS).
 * The order already exists at WeChat Pay: scanning alone changes nothing.
 */
import type { Logger } from '@shop/common/log';
import { notificationsOf, type PayOptions } from '@shop/common/emulator';
import type { Notifier } from './notifier';
import type { Order, OrderBook } from './orders';
import { transactionResource } from './views';

export class Buyer {
  constructor(
    private readonly orders: OrderBook,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
  ) {}

  pay(outTradeNo: string, options: PayOptions = {}): Order {
    const order = this.orders.pay(outTradeNo);
    this.logger.info({ outTradeNo, notify: options.notify ?? 'normal' }, 'order paid');
    const { count, firstAttemptDelayMs } = notificationsOf(options);
    if (count === 0) return order;
    this.notifier.notify(
      { key: order.outTradeNo, eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', resource: transactionResource(order) },
      order.notifyUrl,
      { firstAttemptDelayMs, duplicate: count === 2 },
    );
    return order;
  }
}
