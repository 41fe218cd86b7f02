/**
 * Alipay's OpenAPI as the pay service uses it (AlipayApi, which the Alipay channel wraps), in memory, behaving as Alipay (and
 * the local emulator, web/alipay-gateway/src/trades.ts) does: a precreated trade is only a QR
 * code until a buyer scans it (ACQ.TRADE_NOT_EXIST before), a scanned trade is WAIT_BUYER_PAY,
 * then TRADE_SUCCESS or TRADE_CLOSED; a refund is made once per out_request_no (a repeat answers
 * it again without moving money) and never beyond what was paid. A ledger keeps what moved.
 *
 * Faults, one call each, in the order they were asked for:
 *   refuse  a signed refusal with the sub_code given; nothing happens (ACQ.SYSTEM_ERROR...)
 *   down    the call fails before Alipay saw it (thrown)
 *   lost    the call takes effect, then its answer is lost (thrown): a timeout after the fact
 */
import { createHash } from 'node:crypto';
import { formatCents, parseCents } from '@shop/common/money';
import { AlipayRefusal, type AlipayApi, type TradeStatus } from '../../../src/alipay/alipay-client';

export const APP_ID = '2021000000000042';
const SIGNING_KEY = 'fake-alipay-key';

export interface LedgerTrade {
  outTradeNo: string;
  tradeNo: string;
  amount: string;
  expiresAt: Date;
  /** Meaningful once scanned: before, Alipay knows no trade. */
  status: TradeStatus;
  scanned: boolean;
  paidAt?: Date;
  /** out_request_no -> amount refunded under it. */
  refunds: Map<string, string>;
}

export type GatewayMethod = 'precreate' | 'query' | 'close' | 'refund' | 'refundQuery' | 'downloadBill';
export type Fault = { refuse: string } | 'down' | 'lost';

const refusal = (subCode: string, message: string) => new AlipayRefusal(subCode, message);
const notExist = () => refusal('ACQ.TRADE_NOT_EXIST', 'trade does not exist');
/** Alipay's bill counts China-time days (UTC+8). */
const chinaDate = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

export class FakeAlipay implements AlipayApi {
  readonly settings = { appId: APP_ID };
  readonly trades = new Map<string, LedgerTrade>();
  /** Every call as "method out_trade_no [out_request_no]", in order. */
  readonly calls: string[] = [];
  private readonly faults = new Map<GatewayMethod, Fault[]>();
  private sequence = 0;

  /** The next call of `method` meets the fault (then the one after that the next fault, ...). */
  fail(method: GatewayMethod, ...faults: Fault[]): this {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...faults]);
    return this;
  }

  callsOf(method: GatewayMethod): string[] {
    return this.calls.filter((call) => call.startsWith(`${method} `));
  }

  /** What Alipay gave back of a trade, all refunds together. */
  refundedOf(outTradeNo: string): string {
    const trade = this.trades.get(outTradeNo);
    return formatCents([...(trade?.refunds.values() ?? [])].reduce((sum, amount) => sum + parseCents(amount)!, 0n));
  }

  // The buyer's side.

  /** A buyer scans the QR code: from now on the trade exists at Alipay. */
  scan(outTradeNo: string): LedgerTrade {
    const trade = this.find(outTradeNo);
    if (!trade) throw new Error(`no QR code for ${outTradeNo}`);
    if (!trade.scanned && trade.expiresAt.getTime() <= Date.now()) throw new Error('the QR code expired before anyone scanned it');
    trade.scanned = true;
    return trade;
  }

  /** The buyer pays (scanning first if nobody had). */
  pay(outTradeNo: string): LedgerTrade {
    const trade = this.scan(outTradeNo);
    if (trade.status !== 'WAIT_BUYER_PAY') throw new Error(`trade ${outTradeNo} is ${trade.status}`);
    trade.status = 'TRADE_SUCCESS';
    trade.paidAt = new Date();
    return trade;
  }

  /**
   * Alipay's signed notification of the trade as it stands. `signed`: fields Alipay signed as
   * they are (another app's notification); `tampered`: fields changed after signing (a forgery).
   */
  notification(outTradeNo: string, signed: Record<string, string> = {}, tampered: Record<string, string> = {}): Record<string, string> {
    const trade = this.trades.get(outTradeNo)!;
    const fields: Record<string, string> = {
      app_id: APP_ID,
      notify_id: `notify-${++this.sequence}`,
      out_trade_no: trade.outTradeNo,
      trade_no: trade.tradeNo,
      total_amount: trade.amount,
      trade_status: trade.status,
      sign_type: 'RSA2',
      ...signed,
    };
    return { ...fields, sign: signatureOf(fields), ...tampered };
  }

  // The merchant's side: the AlipayApi.

  verifyNotification(form: Record<string, string>): boolean {
    const { sign, ...fields } = form;
    return sign === signatureOf(fields);
  }

  precreate(input: { outTradeNo: string; amount: string; subject: string; expiresAt: Date; notifyUrl: string }) {
    return this.call('precreate', input.outTradeNo, () => {
      const existing = this.find(input.outTradeNo);
      if (existing?.status === 'TRADE_SUCCESS') return refusal('ACQ.TRADE_HAS_SUCCESS', 'trade has been paid');
      if (existing?.status === 'TRADE_CLOSED') return refusal('ACQ.TRADE_HAS_CLOSE', 'trade has been closed');
      if (existing && existing.amount !== input.amount) return refusal('ACQ.CONTEXT_INCONSISTENT', 'trade information is inconsistent');
      if (!existing) {
        const tradeNo = `2026${String(++this.sequence).padStart(8, '0')}`;
        this.trades.set(input.outTradeNo, { ...input, tradeNo, status: 'WAIT_BUYER_PAY', scanned: false, refunds: new Map() });
      }
      return { qrCode: `https://qr.alipay.test/${input.outTradeNo}` };
    });
  }

  query(outTradeNo: string) {
    return this.call('query', outTradeNo, () => {
      const trade = this.scanned(outTradeNo);
      return trade instanceof AlipayRefusal ? trade : { status: trade.status, amount: trade.amount, tradeNo: trade.tradeNo };
    });
  }

  close(outTradeNo: string) {
    return this.call('close', outTradeNo, () => {
      const trade = this.scanned(outTradeNo);
      if (trade instanceof AlipayRefusal) return trade;
      if (trade.status !== 'WAIT_BUYER_PAY') return refusal('ACQ.TRADE_STATUS_ERROR', `trade status is ${trade.status}`);
      trade.status = 'TRADE_CLOSED';
      return { closed: true as const };
    });
  }

  refund(input: { outTradeNo: string; refundId: string; amount: string; reason: string }) {
    return this.call('refund', `${input.outTradeNo} ${input.refundId}`, () => {
      const trade = this.scanned(input.outTradeNo);
      if (trade instanceof AlipayRefusal) return trade;
      const cents = parseCents(input.amount)!;
      const earlier = trade.refunds.get(input.refundId);
      if (earlier !== undefined) {
        if (parseCents(earlier) !== cents) return refusal('ACQ.DISCORDANT_REPEAT_REQUEST', 'out_request_no was used with another refund amount');
        return { fundChange: false, refunded: this.refundedOf(trade.outTradeNo) };
      }
      if (trade.status !== 'TRADE_SUCCESS') return refusal('ACQ.TRADE_STATUS_ERROR', `trade status is ${trade.status}`);
      if (parseCents(this.refundedOf(trade.outTradeNo))! + cents > parseCents(trade.amount)!)
        return refusal('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'refund amount exceeds what is left');
      trade.refunds.set(input.refundId, formatCents(cents));
      // A trade refunded in full is closed.
      if (this.refundedOf(trade.outTradeNo) === trade.amount) trade.status = 'TRADE_CLOSED';
      return { fundChange: true, refunded: this.refundedOf(trade.outTradeNo) };
    });
  }

  refundQuery(input: { outTradeNo: string; refundId: string }) {
    return this.call('refundQuery', `${input.outTradeNo} ${input.refundId}`, () => {
      const trade = this.scanned(input.outTradeNo);
      if (trade instanceof AlipayRefusal) return trade;
      // Alipay answers success for a refund it never made, without its fields.
      const amount = trade.refunds.get(input.refundId);
      return { found: amount !== undefined, amount: amount ?? '0.00' };
    });
  }

  downloadBill(date: string) {
    return this.call('downloadBill', date, () => {
      if (date > chinaDate(new Date())) return refusal('ACQ.BILL_NOT_EXIST', 'no bill for a future day');
      const paid = [...this.trades.values()].filter((trade) => trade.paidAt && chinaDate(trade.paidAt) === date);
      return [
        'trade_no,out_trade_no,trade_status,total_amount,refund_amount,paid_at',
        ...paid.map((t) => [t.tradeNo, t.outTradeNo, 'TRADE_SUCCESS', t.amount, this.refundedOf(t.outTradeNo), t.paidAt!.toISOString()].join(',')),
      ].join('\n');
    });
  }

  /** Records the call, applies its fault if one is due, and answers what Alipay would. */
  private async call<T>(method: GatewayMethod, detail: string, effect: () => T | AlipayRefusal): Promise<T | AlipayRefusal> {
    this.calls.push(`${method} ${detail}`);
    const fault = this.faults.get(method)?.shift();
    if (fault === 'down') throw new Error(`Alipay ${method}: connect ECONNREFUSED`);
    if (typeof fault === 'object') return refusal(fault.refuse, 'refused (injected)');
    const answer = effect();
    if (fault === 'lost') throw new Error(`Alipay ${method}: timeout (the call took effect)`);
    return answer;
  }

  /** The trade, closed first if it was scanned and expired unpaid (Alipay closes those at their timeout). */
  private find(outTradeNo: string): LedgerTrade | undefined {
    const trade = this.trades.get(outTradeNo);
    if (trade?.scanned && trade.status === 'WAIT_BUYER_PAY' && trade.expiresAt.getTime() <= Date.now()) trade.status = 'TRADE_CLOSED';
    return trade;
  }

  /** The trade as the OpenAPI sees it: an unscanned QR code is no trade. */
  private scanned(outTradeNo: string): LedgerTrade | AlipayRefusal {
    const trade = this.find(outTradeNo);
    return trade?.scanned ? trade : notExist();
  }
}

function signatureOf(fields: Record<string, string>): string {
  const content = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
  return createHash('sha256').update(`${content}${SIGNING_KEY}`).digest('base64');
}
