/**
 * The daily reconciliation: Alipay's trade bill of a day (a China-time day, UTC+8, as Alipay
 * counts them) against the payments paid that day.
 *   LOCAL_ONLY        paid here, absent from the bill
 *   THIRD_PARTY_ONLY  in the bill, unknown or not paid here. A payment of the shop that Alipay
 *                     took without the shop recording it is applied now: its order takes it, or
 *                     rejects it (cancelled meanwhile) and it is refunded.
 *   AMOUNT_MISMATCH   both, with different amounts
 * The report is stored (one run per day, replaced when run again) and returned.
 */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import { isCalendarDate } from '@shop/contracts';
import { recoverPayment, type SettleDeps } from './payments';
import { AlipayRefusal, type Difference } from './ports';

export interface ReconcileReport {
  date: string;
  matched: number;
  differences: Difference[];
}

/** out_trade_no -> total_amount of the bill's CSV (header line first; columns by name). */
export function parseBill(csv: string): Map<string, string> {
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

export async function reconcile(deps: SettleDeps, date: string): Promise<ReconcileReport | DomainError> {
  if (!isCalendarDate(date)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'date must be a day of the calendar, YYYY-MM-DD');
  const bill = await deps.alipay.downloadBill(date);
  if (bill instanceof AlipayRefusal)
    return new DomainError(bill.subCode === 'ACQ.BILL_NOT_EXIST' ? ErrorCode.NOT_FOUND : ErrorCode.UNAVAILABLE, `no bill for ${date}: ${bill.subCode}`);
  const alipay = parseBill(bill);
  const local = new Map((await deps.store.paidOn(date)).map((row) => [row.id, formatCents(parseCents(row.amount)!)]));

  const differences: Difference[] = [];
  let matched = 0;
  for (const [outTradeNo, localAmount] of local) {
    const alipayAmount = alipay.get(outTradeNo);
    if (alipayAmount === undefined) differences.push({ type: 'LOCAL_ONLY', outTradeNo, localAmount, alipayAmount: '', action: '' });
    else if (parseCents(alipayAmount) !== parseCents(localAmount))
      differences.push({ type: 'AMOUNT_MISMATCH', outTradeNo, localAmount, alipayAmount, action: '' });
    else matched++;
  }
  for (const [outTradeNo, alipayAmount] of alipay) {
    if (!local.has(outTradeNo))
      differences.push({ type: 'THIRD_PARTY_ONLY', outTradeNo, localAmount: '', alipayAmount, action: await recover(deps, outTradeNo) });
  }
  await deps.store.saveReconciliation({ date, matched, differences });
  return { date, matched, differences };
}

/** A payment of the shop Alipay took: applied if the shop did not record it. */
async function recover(deps: SettleDeps, outTradeNo: string): Promise<string> {
  const payment = isSnowflakeId(outTradeNo) ? await deps.store.findPayment(outTradeNo) : undefined;
  if (!payment) return 'not a payment of this shop';
  if (payment.status === 'PAID' || payment.status === 'REFUNDED') return `recorded as ${payment.status} on another day`;
  return (await recoverPayment(deps, payment)) ? 'applied: its order takes it or it is refunded' : 'Alipay does not confirm it yet; run again later';
}
