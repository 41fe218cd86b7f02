/**
 * A channel's asynchronous notification (Alipay's trade_status_sync form, WeChat Pay's signed
 * and encrypted JSON), as pay-web hands it over: trusted only after the channel verified it
 * (signature, merchant, decryption: channels/), and only for a payment of that channel with that
 * amount. The answer tells pay-web what the channel expects: ACK stops its retries, RETRY makes
 * it try again later.
 *
 * A payment notice applies the payment (once: repeats change nothing). A refund notice (WeChat
 * Pay's REFUND.SUCCESS...) resumes the refund, which asks the channel and finishes; a refund
 * notice is never itself taken as the money having moved.
 */
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import { isPlanted, PlantedDefects } from '@shop/contracts';
import { paySucceeded } from './pay-events';
import { applyPayment } from './payments';
import type { ChannelName, ChannelNotice, PaymentChannels, PaymentRepository, PaymentRow, RawNotification } from './ports';

export type NotificationAnswer = 'ACK' | 'RETRY';

export interface NotificationDeps {
  store: PaymentRepository;
  ids: SnowflakeGenerator;
  channels: PaymentChannels;
  logger: Logger;
  /** Carries a refund on now (the refund runner), if nobody else holds it. */
  resumeRefund(refundId: string): Promise<void>;
}

export async function handleNotification(deps: NotificationDeps, channelName: ChannelName, raw: RawNotification): Promise<NotificationAnswer> {
  const { store, logger } = deps;
  if (!deps.channels.has(channelName)) {
    logger.warn({ channel: channelName }, 'notification of a channel this shop is not set up for refused');
    return 'RETRY';
  }
  const notice = deps.channels.of(channelName).readNotification(raw);
  if (!notice) return 'RETRY';
  const log = logger.child({ channel: channelName, outTradeNo: notice.outTradeNo, noticeId: notice.noticeId });
  const payment = /^\d{1,20}$/.test(notice.outTradeNo) ? await store.findPayment(notice.outTradeNo) : undefined;
  if (!payment || payment.channel !== channelName) {
    log.warn('notification for an unknown trade refused');
    return 'RETRY';
  }
  if (notice.kind === 'REFUND') {
    if (/^\d{1,20}$/.test(notice.refundId)) await deps.resumeRefund(notice.refundId);
    log.info({ refundId: notice.refundId }, 'refund notification: the refund asks its channel and finishes');
    return 'ACK';
  }
  if (notice.kind === 'PAID') {
    if (notice.amount !== payment.amount) {
      log.error({ notified: notice.amount, amount: payment.amount }, 'notification with another amount refused');
      return 'RETRY';
    }
    const applied = isPlanted(PlantedDefects.NOTIFY_APPLIED_TWICE)
      ? await applyAgain(deps, payment, notice)
      : await applyPayment(store, deps.ids, payment, notice.tradeNo);
    log.info({ applied }, applied ? 'payment applied from the notification' : 'notification repeated; nothing to do');
  }
  // Other notices (a closed trade...) carry nothing to apply; acknowledging stops the retries.
  return 'ACK';
}

/**
 * The planted defect (chaos harness only): a notification applied without "only if unpaid", each
 * one announcing the payment again under a key of its own, as the tutorials' callbacks did.
 */
async function applyAgain(deps: NotificationDeps, payment: PaymentRow, notice: Extract<ChannelNotice, { kind: 'PAID' }>): Promise<boolean> {
  if (await applyPayment(deps.store, deps.ids, payment, notice.tradeNo)) return true;
  await deps.store.transaction((tx) =>
    deps.store.enqueue(tx, deps.ids.next(), { ...paySucceeded(payment, notice.tradeNo), keys: [notice.noticeId || deps.ids.next()] }),
  );
  return true;
}
