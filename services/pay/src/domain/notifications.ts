/**
 * Alipay's asynchronous notification (trade_status_sync), as pay-web hands it over: trusted only
 * after its RSA2 signature, app id, trade and amount check out. The answer is the text Alipay
 * expects: "success" stops its retries, "failure" makes it try again later.
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import { isPlanted, PlantedDefects } from '@shop/contracts';
import { paySucceeded } from './pay-events';
import { applyPayment } from './payments';
import type { PaymentGateway, PaymentRepository, PaymentRow } from './ports';

/** The SDK throws on a sign_type it does not know: that is an unverifiable form, nothing more. */
function verified(alipay: PaymentGateway, fields: Record<string, string>): boolean {
  try {
    return alipay.verifyNotification(fields);
  } catch {
    return false;
  }
}

export async function handleNotification(
  deps: { store: PaymentRepository; ids: SnowflakeGenerator; alipay: PaymentGateway; logger: Logger },
  fields: Record<string, string>,
): Promise<'success' | 'failure'> {
  const { store, alipay, logger } = deps;
  const log = logger.child({ outTradeNo: fields.out_trade_no, notifyId: fields.notify_id });
  if (!verified(alipay, fields)) {
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
    const applied = isPlanted(PlantedDefects.NOTIFY_APPLIED_TWICE)
      ? await applyAgain(deps, payment, fields)
      : await applyPayment(store, deps.ids, payment, fields.trade_no ?? '');
    log.info({ applied }, applied ? 'payment applied from the notification' : 'notification repeated; nothing to do');
  }
  // Other statuses (TRADE_CLOSED...) carry nothing to apply; acknowledging stops the retries.
  return 'success';
}

/**
 * The planted defect (chaos harness only): a notification applied without "only if unpaid", each
 * one announcing the payment again under a key of its own, as the tutorials' callbacks did.
 */
async function applyAgain(deps: { store: PaymentRepository; ids: SnowflakeGenerator }, payment: PaymentRow, fields: Record<string, string>): Promise<boolean> {
  if (await applyPayment(deps.store, deps.ids, payment, fields.trade_no ?? '')) return true;
  await deps.store.transaction((tx) =>
    deps.store.enqueue(tx, deps.ids.next(), { ...paySucceeded(payment, fields.trade_no ?? ''), keys: [fields.notify_id ?? deps.ids.next()] }),
  );
  return true;
}
