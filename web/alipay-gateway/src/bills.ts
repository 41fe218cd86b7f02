/**
 * The daily trade bill (alipay.data.dataservice.bill.downloadurl.query): one CSV line per trade
 * paid that day, the day being China's (UTC+8) as at Alipay. Alipay serves a zip of GBK CSVs with more columns; the emulator serves
 * the CSV itself with the columns reconciliation needs. Tests may tamper with a day's bill to
 * plant differences (a missing trade, an unknown one, another amount).
 */
import { addTampering, type BillTampering as Tampering } from '@shop/common/emulator';
import { formatCents } from '@shop/common/money';
import { chinaDate } from './china-time';
import type { TradeBook } from './trades';

/** Differences planted in a day's bill (amounts in yuan). */
export type BillTampering = Tampering<string>;

export const BILL_HEADER = 'trade_no,out_trade_no,trade_status,total_amount,refund_amount,paid_at';

export class Bills {
  private readonly tampering = new Map<string, BillTampering>();

  constructor(private readonly trades: TradeBook) {}

  tamper(date: string, change: BillTampering): void {
    this.tampering.set(date, addTampering(this.tampering.get(date), change));
  }

  csv(date: string): string {
    const change = this.tampering.get(date) ?? {};
    const rows = this.trades
      .all()
      .filter((trade) => trade.paidAt && chinaDate(trade.paidAt) === date && !change.drop?.includes(trade.outTradeNo))
      .map((trade) =>
        [
          trade.tradeNo,
          trade.outTradeNo,
          trade.status,
          change.amounts?.[trade.outTradeNo] ?? trade.totalAmount,
          formatCents(this.trades.refunded(trade)),
          trade.paidAt!.toISOString(),
        ].join(','),
      );
    const planted = (change.add ?? []).map((row, i) =>
      [`PLANTED${date.replace(/-/g, '')}${i}`, row.outTradeNo, 'TRADE_SUCCESS', row.amount, '0.00', `${date}T12:00:00.000Z`].join(','),
    );
    return [BILL_HEADER, ...rows, ...planted].join('\n') + '\n';
  }
}
