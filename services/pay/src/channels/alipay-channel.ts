/**
 * Alipay's QR payments (alipay.trade.precreate) as a PaymentChannel: Alipay's answers turned into
 * the domain's words. What is Alipay's own stays here:
 * - a precreated trade does not exist at Alipay until a buyer scans the QR code
 *   (ACQ.TRADE_NOT_EXIST before): NOT_FOUND, which the domain takes as "not scanned";
 * - a refund answers at once (fund_change), never PROCESSING;
 * - the bill is a CSV (out_trade_no, total_amount...) of a China-time day;
 * - a notification is a form signed with RSA2 naming the merchant's app_id.
 */
import type { Logger } from '@shop/common/log';
import { AlipayRefusal, type AlipayApi } from '../alipay/alipay-client';
import {
  ChannelRefusal,
  type ChannelNotice,
  type ChannelRefundState,
  type ChannelTrade,
  type PaymentChannel,
  type RawNotification,
  type RefusalKind,
} from '../domain/ports';

/** Alipay's sub_codes that say "not now" rather than "no" (ACQ.SELLER_BALANCE_NOT_ENOUGH: the merchant's account lacks the money until topped up). */
const RETRYABLE = new Set(['ACQ.SYSTEM_ERROR', 'aop.ACQ.SYSTEM_ERROR', 'isp.unknow-error', 'ACQ.SELLER_BALANCE_NOT_ENOUGH']);

function refusal(answer: AlipayRefusal, notFound?: string): ChannelRefusal {
  const kind: RefusalKind =
    answer.subCode === notFound ? (notFound === 'ACQ.BILL_NOT_EXIST' ? 'NO_BILL' : 'NOT_FOUND') : RETRYABLE.has(answer.subCode) ? 'RETRY' : 'FINAL';
  return new ChannelRefusal(kind, answer.subCode, answer.message);
}

/** out_trade_no -> total_amount of Alipay's bill CSV (header line first; columns by name). */
export function parseAlipayBill(csv: string): Map<string, string> {
  const [header = '', ...lines] = csv.trim().split(/\r?\n/);
  const columns = header.split(',');
  const tradeColumn = columns.indexOf('out_trade_no');
  const amountColumn = columns.indexOf('total_amount');
  if (tradeColumn < 0 || amountColumn < 0) throw new Error('the bill has no out_trade_no / total_amount columns');
  const rows = new Map<string, string>();
  for (const line of lines) {
    const cells = line.split(',');
    if (cells[tradeColumn]) rows.set(cells[tradeColumn]!, cells[amountColumn] ?? '');
  }
  return rows;
}

export class AlipayChannel implements PaymentChannel {
  readonly name = 'ALIPAY_QR' as const;
  readonly title = 'Alipay';

  constructor(
    private readonly alipay: AlipayApi,
    /** Where Alipay posts its notifications (pay-web's /api/v1/notify/alipay). */
    private readonly notifyUrl: string,
    private readonly logger: Logger,
  ) {}

  async createQr(input: { outTradeNo: string; amount: string; subject: string; expiresAt: Date }): Promise<{ qrCode: string } | ChannelRefusal> {
    const answer = await this.alipay.precreate({ ...input, notifyUrl: this.notifyUrl });
    return answer instanceof AlipayRefusal ? refusal(answer) : answer;
  }

  async query(outTradeNo: string): Promise<ChannelTrade | ChannelRefusal> {
    const trade = await this.alipay.query(outTradeNo);
    if (trade instanceof AlipayRefusal) return refusal(trade, 'ACQ.TRADE_NOT_EXIST');
    if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED') return { state: 'PAID', amount: trade.amount, tradeNo: trade.tradeNo };
    return trade.status === 'TRADE_CLOSED' ? { state: 'CLOSED' } : { state: 'WAITING' };
  }

  async close(outTradeNo: string): Promise<{ closed: true } | ChannelRefusal> {
    const answer = await this.alipay.close(outTradeNo);
    return answer instanceof AlipayRefusal ? refusal(answer, 'ACQ.TRADE_NOT_EXIST') : answer;
  }

  async refund(input: { outTradeNo: string; refundId: string; amount: string; reason: string }): Promise<ChannelRefundState | ChannelRefusal> {
    const answer = await this.alipay.refund(input);
    return answer instanceof AlipayRefusal ? refusal(answer) : { state: 'SUCCEEDED' };
  }

  async refundQuery(input: { outTradeNo: string; refundId: string }): Promise<ChannelRefundState | ChannelRefusal> {
    const answer = await this.alipay.refundQuery(input);
    // Alipay cannot say "not made" with a refusal: it answers success without the refund's fields.
    if (answer instanceof AlipayRefusal) return new ChannelRefusal('RETRY', answer.subCode, answer.message);
    return answer.found ? { state: 'SUCCEEDED' } : new ChannelRefusal('NOT_FOUND', 'REFUND_NOT_EXIST', 'Alipay made no such refund');
  }

  async paidOnDay(date: string): Promise<Map<string, string> | ChannelRefusal> {
    const bill = await this.alipay.downloadBill(date);
    return bill instanceof AlipayRefusal ? refusal(bill, 'ACQ.BILL_NOT_EXIST') : parseAlipayBill(bill);
  }

  readNotification(raw: RawNotification): ChannelNotice | undefined {
    if (!('form' in raw)) return undefined;
    const fields = raw.form;
    const log = this.logger.child({ outTradeNo: fields.out_trade_no, notifyId: fields.notify_id });
    if (!this.verified(fields)) {
      log.warn('Alipay notification with an invalid signature refused');
      return undefined;
    }
    if (fields.app_id !== this.alipay.settings.appId) {
      log.warn({ appId: fields.app_id }, 'Alipay notification for another app refused');
      return undefined;
    }
    const base = { noticeId: fields.notify_id ?? '', outTradeNo: fields.out_trade_no ?? '' };
    if (fields.trade_status === 'TRADE_SUCCESS' || fields.trade_status === 'TRADE_FINISHED')
      return { kind: 'PAID', ...base, amount: fields.total_amount ?? '', tradeNo: fields.trade_no ?? '' };
    // Other statuses (TRADE_CLOSED...) carry nothing to apply.
    return { kind: 'OTHER', ...base };
  }

  /** The SDK throws on a sign_type it does not know: that is an unverifiable form, nothing more. */
  private verified(fields: Record<string, string>): boolean {
    try {
      return this.alipay.verifyNotification(fields);
    } catch {
      return false;
    }
  }
}
