/**
 * Alipay's asynchronous notification (trade_status_sync), as pay-web hands it over: trusted only
 * after its RSA2 signature, app id, trade and amount check out. The answer is the text Alipay
 * expects: "success" stops its retries, "failure" makes it try again later.
 */
import type { Logger, SnowflakeGenerator } from '@shop/common';
import type { AlipayClient } from '../alipay/alipay-client';
import type { PayStore } from '../store/pay-store';
import { applyPayment } from './payments';

export async function handleNotification(deps: { store: PayStore; ids: SnowflakeGenerator; alipay: AlipayClient; logger: Logger }, fields: Record<string, string>): Promise<'success' | 'failure'> {
  const { store, alipay, logger } = deps;
  const log = logger.child({ outTradeNo: fields.out_trade_no, notifyId: fields.notify_id });
  if (!alipay.verifyNotification(fields)) {
    log.warn('notification with an invalid signature refused');
    return 'failure';
  }
  if (fields.app_id !== alipay.settings.appId) {
    log.warn({ appId: fields.app_id }, 'notification for another app refused');
    return 'failure';
  }
  const payment = /^\d{1,20}$/.test(fields.out_trade_no ?? '') ? await store.findPayment(fields.out_trade_no!) : undefined;
  if (!payment) {
    log.warn('notification for an unknown trade refused');
    return 'failure';
  }
  if (fields.total_amount !== payment.amount) {
    log.error({ notified: fields.total_amount, amount: payment.amount }, 'notification with another amount refused');
    return 'failure';
  }
  if (fields.trade_status === 'TRADE_SUCCESS' || fields.trade_status === 'TRADE_FINISHED') {
    const applied = await applyPayment(store, deps.ids, payment, fields.trade_no ?? '');
    log.info({ applied }, applied ? 'payment applied from the notification' : 'notification repeated; nothing to do');
  }
  // Other statuses (TRADE_CLOSED...) carry nothing to apply; acknowledging stops the retries.
  return 'success';
}
