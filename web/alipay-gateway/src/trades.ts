/**
 * The gateway's trade book (in memory: the emulator's state lives as long as its process).
 * States and business errors follow Alipay's. A precreated trade is only a QR code until a buyer
 * scans it: before the scan Alipay knows no trade (query, close, refund and refund query answer
 * ACQ.TRADE_NOT_EXIST), and a QR code nobody scanned before its expiry never becomes a trade.
 * A scanned trade goes WAIT_BUYER_PAY -> TRADE_SUCCESS (paid) or TRADE_CLOSED (closed, or
 * expired unpaid); a fully refunded trade is TRADE_CLOSED too.
 */
import { formatCents, parseCents } from '@shop/common/money';
import { chinaDate } from './china-time';

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

export interface Refund {
  amount: string;
  at: Date;
}

export interface Trade {
  outTradeNo: string;
  tradeNo: string;
  subject: string;
  totalAmount: string;
  /** Meaningful once scanned: an unscanned trade does not exist for the OpenAPI. */
  status: TradeStatus;
  notifyUrl: string | undefined;
  createdAt: Date;
  expiresAt: Date;
  /** When a buyer first scanned the QR code; undefined while nobody has. */
  scannedAt: Date | undefined;
  paidAt: Date | undefined;
  closedAt: Date | undefined;
  /** out_request_no -> the refund made under it. */
  refunds: Map<string, Refund>;
}

/** The status the control API and the cashier show: Alipay's, or NOT_SCANNED before any scan. */
export function ledgerStatus(trade: Trade): TradeStatus | 'NOT_SCANNED' {
  return trade.scannedAt ? trade.status : 'NOT_SCANNED';
}

/** A business refusal: `code` 40004 (or 40002 for invalid arguments) with Alipay's sub_code. */
export class BusinessError extends Error {
  constructor(
    readonly subCode: string,
    readonly subMsg: string,
    readonly code = '40004',
  ) {
    super(subMsg);
  }
}

/**
 * Not Alipay's: the buyer's app refuses a QR code scanned at or after its expiry. Only the
 * cashier page and the control API meet it; the OpenAPI answers ACQ.TRADE_NOT_EXIST.
 */
export const QR_CODE_EXPIRED = 'QR_CODE_EXPIRED';

const notExist = () => new BusinessError('ACQ.TRADE_NOT_EXIST', 'trade does not exist');

let sequence = 0;
function newTradeNo(now: Date): string {
  const day = chinaDate(now).replace(/-/g, '');
  sequence = (sequence + 1) % 1_000_000_000;
  return `${day}22001${String(Date.now() % 1_000_000).padStart(6, '0')}${String(sequence).padStart(9, '0')}`;
}

export class TradeBook {
  private readonly trades = new Map<string, Trade>();

  constructor(readonly now: () => Date = () => new Date()) {}

  /**
   * The trade whether scanned or not (the buyer's and the control API's view), closed first if it
   * was scanned and expired unpaid (Alipay closes unpaid trades at their timeout).
   */
  find(outTradeNo: string): Trade | undefined {
    const trade = this.trades.get(outTradeNo);
    if (trade?.scannedAt && trade.status === 'WAIT_BUYER_PAY' && trade.expiresAt <= this.now()) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = trade.expiresAt;
    }
    return trade;
  }

  /** The trade as the OpenAPI sees it: unknown and unscanned trades do not exist. */
  get(outTradeNo: string): Trade {
    const trade = this.find(outTradeNo);
    if (!trade?.scannedAt) throw notExist();
    return trade;
  }

  all(): Trade[] {
    return [...this.trades.keys()].map((key) => this.find(key)!);
  }

  /** precreate: a new QR code, or the same one again for the same out_trade_no and amount. */
  precreate(input: { outTradeNo: string; totalAmount: string; subject: string; expiresAt: Date; notifyUrl: string | undefined }): Trade {
    const existing = this.find(input.outTradeNo);
    if (existing) {
      if (existing.status === 'TRADE_SUCCESS') throw new BusinessError('ACQ.TRADE_HAS_SUCCESS', 'trade has been paid');
      if (existing.status === 'TRADE_CLOSED') throw new BusinessError('ACQ.TRADE_HAS_CLOSE', 'trade has been closed');
      if (existing.totalAmount !== input.totalAmount) throw new BusinessError('ACQ.CONTEXT_INCONSISTENT', 'trade information is inconsistent');
      return existing;
    }
    const now = this.now();
    const trade: Trade = {
      ...input,
      tradeNo: newTradeNo(now),
      status: 'WAIT_BUYER_PAY',
      createdAt: now,
      scannedAt: undefined,
      paidAt: undefined,
      closedAt: undefined,
      refunds: new Map(),
    };
    this.trades.set(input.outTradeNo, trade);
    return trade;
  }

  /**
   * A buyer scans the QR code: from now on the trade exists at Alipay. Scanning again changes
   * nothing; a QR code first scanned at or after its expiry is dead for good.
   */
  scan(outTradeNo: string): Trade {
    const trade = this.find(outTradeNo);
    if (!trade) throw notExist();
    if (trade.scannedAt) return trade;
    const now = this.now();
    if (trade.expiresAt <= now) throw new BusinessError(QR_CODE_EXPIRED, 'the QR code expired before anyone scanned it');
    trade.scannedAt = now;
    return trade;
  }

  /** The buyer pays (cashier page or control API), scanning the QR code first if nobody had. */
  pay(outTradeNo: string): Trade {
    const trade = this.scan(outTradeNo);
    if (trade.status === 'TRADE_SUCCESS') throw new BusinessError('ACQ.TRADE_HAS_SUCCESS', 'trade has been paid');
    if (trade.status === 'TRADE_CLOSED') throw new BusinessError('ACQ.TRADE_HAS_CLOSE', 'trade has been closed');
    trade.status = 'TRADE_SUCCESS';
    trade.paidAt = this.now();
    return trade;
  }

  close(outTradeNo: string): Trade {
    const trade = this.get(outTradeNo);
    if (trade.status !== 'WAIT_BUYER_PAY') throw new BusinessError('ACQ.TRADE_STATUS_ERROR', `trade status is ${trade.status}`);
    trade.status = 'TRADE_CLOSED';
    trade.closedAt = this.now();
    return trade;
  }

  /**
   * Refunds `amount` (already validated as a positive amount) under `outRequestNo`. The same
   * request number with the same amount answers the first refund again (no fund change); with
   * another amount Alipay refuses it rather than guess which one the merchant meant.
   */
  refund(outTradeNo: string, outRequestNo: string, amount: string): { trade: Trade; refund: Refund; fundChange: boolean } {
    const trade = this.get(outTradeNo);
    const cents = parseCents(amount)!;
    const earlier = trade.refunds.get(outRequestNo);
    if (earlier) {
      if (parseCents(earlier.amount) !== cents) throw new BusinessError('ACQ.DISCORDANT_REPEAT_REQUEST', 'out_request_no was used with another refund amount');
      return { trade, refund: earlier, fundChange: false };
    }
    if (trade.status !== 'TRADE_SUCCESS') throw new BusinessError('ACQ.TRADE_STATUS_ERROR', `trade status is ${trade.status}`);
    if (this.refunded(trade) + cents > parseCents(trade.totalAmount)!)
      throw new BusinessError('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'refund amount exceeds what is left');
    const refund = { amount: formatCents(cents), at: this.now() };
    trade.refunds.set(outRequestNo, refund);
    if (this.refunded(trade) === parseCents(trade.totalAmount)) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = refund.at;
    }
    return { trade, refund, fundChange: true };
  }

  /** The refund made under `outRequestNo`, if any (alipay.trade.fastpay.refund.query). */
  findRefund(outTradeNo: string, outRequestNo: string): { trade: Trade; refund: Refund | undefined } {
    const trade = this.get(outTradeNo);
    return { trade, refund: trade.refunds.get(outRequestNo) };
  }

  refunded(trade: Trade): bigint {
    return [...trade.refunds.values()].reduce((sum, refund) => sum + parseCents(refund.amount)!, 0n);
  }
}
