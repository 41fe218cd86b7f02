/**
 * The gateway's trade book (in memory: the emulator's state lives as long as its process).
 * States and business errors follow Alipay's: WAIT_BUYER_PAY -> TRADE_SUCCESS (paid) or
 * TRADE_CLOSED (closed, or expired unpaid); a fully refunded trade is TRADE_CLOSED too.
 */
import { formatCents, parseCents } from '@shop/common';

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

export interface Trade {
  outTradeNo: string;
  tradeNo: string;
  subject: string;
  totalAmount: string;
  status: TradeStatus;
  notifyUrl: string | undefined;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | undefined;
  closedAt: Date | undefined;
  /** out_request_no -> amount refunded under it. */
  refunds: Map<string, { amount: string; at: Date }>;
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

let sequence = 0;
function newTradeNo(now: Date): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  sequence = (sequence + 1) % 1_000_000_000;
  return `${day}22001${String(Date.now() % 1_000_000).padStart(6, '0')}${String(sequence).padStart(9, '0')}`;
}

export class TradeBook {
  private readonly trades = new Map<string, Trade>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The trade, closed first if it expired unpaid (Alipay closes unpaid trades at their timeout). */
  find(outTradeNo: string): Trade | undefined {
    const trade = this.trades.get(outTradeNo);
    if (trade && trade.status === 'WAIT_BUYER_PAY' && trade.expiresAt <= this.now()) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = trade.expiresAt;
    }
    return trade;
  }

  get(outTradeNo: string): Trade {
    const trade = this.find(outTradeNo);
    if (!trade) throw new BusinessError('ACQ.TRADE_NOT_EXIST', 'trade does not exist');
    return trade;
  }

  all(): Trade[] {
    return [...this.trades.keys()].map((key) => this.find(key)!);
  }

  /** precreate: a new trade, or the same unpaid one again for the same out_trade_no and amount. */
  precreate(input: { outTradeNo: string; totalAmount: string; subject: string; expiresAt: Date; notifyUrl: string | undefined }): Trade {
    const existing = this.find(input.outTradeNo);
    if (existing) {
      if (existing.status === 'TRADE_SUCCESS') throw new BusinessError('ACQ.TRADE_HAS_SUCCESS', 'trade has been paid');
      if (existing.status === 'TRADE_CLOSED') throw new BusinessError('ACQ.TRADE_HAS_CLOSE', 'trade has been closed');
      if (existing.totalAmount !== input.totalAmount) throw new BusinessError('ACQ.CONTEXT_INCONSISTENT', 'trade information is inconsistent');
      return existing;
    }
    const now = this.now();
    const trade: Trade = { ...input, tradeNo: newTradeNo(now), status: 'WAIT_BUYER_PAY', createdAt: now, paidAt: undefined, closedAt: undefined, refunds: new Map() };
    this.trades.set(input.outTradeNo, trade);
    return trade;
  }

  /** The buyer pays (cashier page or control API). */
  pay(outTradeNo: string): Trade {
    const trade = this.get(outTradeNo);
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

  /** Refunds `amount` under `outRequestNo`; the same request number answers the first refund again. */
  refund(outTradeNo: string, outRequestNo: string, amount: string): { trade: Trade; fundChange: boolean } {
    const trade = this.get(outTradeNo);
    if (trade.refunds.has(outRequestNo)) return { trade, fundChange: false };
    if (trade.status !== 'TRADE_SUCCESS') throw new BusinessError('ACQ.TRADE_STATUS_ERROR', `trade status is ${trade.status}`);
    const cents = parseCents(amount);
    if (cents === undefined || cents <= 0n) throw new BusinessError('isv.invalid-parameter', 'refund_amount is invalid', '40002');
    if (this.refunded(trade) + cents > parseCents(trade.totalAmount)!) throw new BusinessError('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'refund amount exceeds what is left');
    trade.refunds.set(outRequestNo, { amount: formatCents(cents), at: this.now() });
    if (this.refunded(trade) === parseCents(trade.totalAmount)) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = this.now();
    }
    return { trade, fundChange: true };
  }

  refunded(trade: Trade): bigint {
    return [...trade.refunds.values()].reduce((sum, refund) => sum + parseCents(refund.amount)!, 0n);
  }
}
