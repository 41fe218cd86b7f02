/**
 * WeChat Pay Native (QR) payments as a PaymentChannel: the typed client's answers turned into the
 * domain's words. What is WeChat Pay's own stays here:
 * - a Native order exists from its creation (unlike an Alipay QR code): ORDER_NOT_EXIST means it
 *   was never made; trade_state REFUND is a paid trade refunded since;
 * - a refund usually answers PROCESSING: the money moves later, told by a REFUND.SUCCESS
 *   notification or found by the refund query (CLOSED / ABNORMAL: it did not go through);
 * - the bill comes gzipped with its SHA1 (checked by the client);
 * - a notification is JSON signed over the exact bytes, its resource encrypted with the APIv3
 *   key, and must name the merchant (mchid, appid).
 */
import type { Logger } from '@shop/common/log';
import { formatCents } from '@shop/common/money';
import {
  ChannelRefusal,
  type ChannelNotice,
  type ChannelRefundState,
  type ChannelTrade,
  type PaymentChannel,
  type RawNotification,
  type RefusalKind,
} from '../domain/ports';
import { WechatPayRefusal, type WechatPayClient, type WechatRefund } from '../wechatpay/wechatpay-client';

/** Codes that say "not now" (NOT_ENOUGH: the merchant's balance lacks the refund until topped up). */
const RETRYABLE = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'BANK_ERROR', 'NOT_ENOUGH', 'USERPAYING']);
/** No bill: none for a day without trades, or not generated yet (served at 10:00 the next day). */
const NO_BILL = new Set(['NO_STATEMENT_EXIST', 'STATEMENT_CREATING']);
const NOT_FOUND = new Set(['ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS']);

function refusal(answer: WechatPayRefusal): ChannelRefusal {
  const kind: RefusalKind = NO_BILL.has(answer.code)
    ? 'NO_BILL'
    : NOT_FOUND.has(answer.code)
      ? 'NOT_FOUND'
      : RETRYABLE.has(answer.code) || answer.httpStatus >= 500
        ? 'RETRY'
        : 'FINAL';
  return new ChannelRefusal(kind, answer.code, answer.message);
}

function refundState(refund: WechatRefund): ChannelRefundState {
  if (refund.status === 'SUCCESS') return { state: 'SUCCEEDED' };
  if (refund.status === 'PROCESSING') return { state: 'PROCESSING' };
  // ABNORMAL: the buyer's account cannot take it (the merchant refunds by other means); CLOSED: it was closed.
  return { state: 'FAILED', reason: `WeChat Pay refund ${refund.status}` };
}

export class WechatPayChannel implements PaymentChannel {
  readonly name = 'WECHAT_NATIVE' as const;
  readonly title = 'WeChat Pay';

  constructor(
    private readonly client: WechatPayClient,
    /** Where WeChat Pay posts payment and refund notifications (pay-web's /api/v1/notify/wechatpay). */
    private readonly notifyUrl: string,
    private readonly logger: Logger,
  ) {}

  async createQr(input: { outTradeNo: string; amount: string; subject: string; expiresAt: Date }): Promise<{ qrCode: string } | ChannelRefusal> {
    const answer = await this.client.createNativeOrder({ ...input, description: input.subject, notifyUrl: this.notifyUrl });
    return answer instanceof WechatPayRefusal ? refusal(answer) : { qrCode: answer.codeUrl };
  }

  async query(outTradeNo: string): Promise<ChannelTrade | ChannelRefusal> {
    const trade = await this.client.query(outTradeNo);
    if (trade instanceof WechatPayRefusal) return refusal(trade);
    switch (trade.state) {
      case 'SUCCESS':
      case 'REFUND':
        return { state: 'PAID', amount: trade.amount, tradeNo: trade.transactionId };
      case 'NOTPAY':
      case 'USERPAYING':
        return { state: 'WAITING' };
      default:
        return { state: 'CLOSED' };
    }
  }

  async close(outTradeNo: string): Promise<{ closed: true } | ChannelRefusal> {
    const answer = await this.client.close(outTradeNo);
    return answer instanceof WechatPayRefusal ? refusal(answer) : answer;
  }

  async refund(input: { outTradeNo: string; refundId: string; amount: string; total: string; reason: string }): Promise<ChannelRefundState | ChannelRefusal> {
    const answer = await this.client.refund({ ...input, notifyUrl: this.notifyUrl });
    return answer instanceof WechatPayRefusal ? refusal(answer) : refundState(answer);
  }

  async refundQuery(input: { outTradeNo: string; refundId: string }): Promise<ChannelRefundState | ChannelRefusal> {
    const answer = await this.client.refundQuery(input.refundId);
    return answer instanceof WechatPayRefusal ? refusal(answer) : refundState(answer);
  }

  async paidOnDay(date: string): Promise<Map<string, string> | ChannelRefusal> {
    const bill = await this.client.tradeBill(date);
    if (!(bill instanceof WechatPayRefusal)) return bill;
    // WeChat serves the bills of the last three months only, and none of a day to come: no bill.
    if (bill.code === 'INVALID_REQUEST') return new ChannelRefusal('NO_BILL', bill.code, bill.message);
    return refusal(bill);
  }

  readNotification(raw: RawNotification): ChannelNotice | undefined {
    if (!('body' in raw)) return undefined;
    const log = this.logger.child({ channel: this.name });
    const notification = this.client.parseNotification(raw.headers, raw.body, (reason) => log.warn({ reason }, 'WeChat Pay notification refused'));
    if (!notification) return undefined;
    const resource = notification.resource;
    const { mchid, appid } = this.client.settings;
    // A refund's resource names the merchant (mchid) only; a payment's names the app too.
    if (resource.mchid !== mchid || (resource.appid !== undefined && resource.appid !== appid)) {
      log.warn({ mchid: resource.mchid, appid: resource.appid }, 'WeChat Pay notification for another merchant refused');
      return undefined;
    }
    const base = { noticeId: notification.id, outTradeNo: String(resource.out_trade_no ?? '') };
    if (notification.eventType === 'TRANSACTION.SUCCESS' && resource.trade_state === 'SUCCESS') {
      const total = (resource.amount as { total?: unknown } | undefined)?.total;
      // An amount that is not a whole number of fen never matches a payment: refused by the domain.
      const amount = Number.isSafeInteger(total) ? formatCents(BigInt(total as number)) : '';
      return { kind: 'PAID', ...base, amount, tradeNo: String(resource.transaction_id ?? '') };
    }
    if (notification.eventType.startsWith('REFUND.')) return { kind: 'REFUND', ...base, refundId: String(resource.out_refund_no ?? '') };
    return { kind: 'OTHER', ...base };
  }
}
