/**
 * The daily reconciliation: each channel's trade bill of a day (a China-time day, UTC+8, as
 * Alipay and WeChat Pay count them) against the payments of that channel paid that day.
 *   LOCAL_ONLY        paid here, absent from the bill
 *   THIRD_PARTY_ONLY  in the bill, unknown or not paid here. A payment of the shop that the
 *                     channel took without the shop recording it is applied now: its order takes
 *                     it, or rejects it (cancelled meanwhile) and it is refunded.
 *   AMOUNT_MISMATCH   both, with different amounts
 * A channel with no bill for the day (not generated yet: WeChat Pay serves it at 10:00 the next
 * day; no longer served: WeChat keeps three months; or none, nothing having moved) is left out and named in `unbilledChannels` when payments
 * of it were paid that day: reconcile again later. NOT_FOUND when no channel has a bill. The
 * report (every channel's differences) is stored, one run per day, replaced when run again.
 */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import { isCalendarDate } from '@shop/contracts';
import { recoverPayment, type SettleDeps } from './payments';
import { ChannelRefusal, type ChannelName, type Difference, type PaidPayment } from './ports';

export interface ReconcileReport {
  date: string;
  matched: number;
  differences: Difference[];
  /** Channels with payments that day whose bill is not there yet. */
  unbilledChannels: ChannelName[];
}

export async function reconcile(deps: SettleDeps, date: string): Promise<ReconcileReport | DomainError> {
  if (!isCalendarDate(date)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'date must be a day of the calendar, YYYY-MM-DD');
  const paid = await deps.store.paidOn(date);
  const channels = deps.channels.names();
  const differences: Difference[] = [];
  const unbilledChannels: ChannelName[] = [];
  let matched = 0;
  let bills = 0;
  for (const name of channels) {
    const local = paid.filter((payment) => payment.channel === name);
    const bill = await deps.channels.of(name).paidOnDay(date);
    if (bill instanceof ChannelRefusal) {
      if (bill.kind !== 'NO_BILL') return new DomainError(ErrorCode.UNAVAILABLE, `no ${name} bill for ${date}: ${bill.code}`);
      if (local.length > 0) unbilledChannels.push(name);
      continue;
    }
    bills++;
    matched += await compare(deps, name, bill, local, differences);
  }
  if (bills === 0) return new DomainError(ErrorCode.NOT_FOUND, `no bill for ${date} yet`);
  await deps.store.saveReconciliation({ date, matched, differences });
  return { date, matched, differences, unbilledChannels };
}

/** One channel's bill against its payments; the differences are added, the matches counted. */
async function compare(deps: SettleDeps, channel: ChannelName, bill: Map<string, string>, paid: PaidPayment[], differences: Difference[]): Promise<number> {
  const local = new Map(paid.map((row) => [row.id, formatCents(parseCents(row.amount)!)]));
  let matched = 0;
  for (const [outTradeNo, localAmount] of local) {
    const billAmount = bill.get(outTradeNo);
    if (billAmount === undefined) differences.push({ type: 'LOCAL_ONLY', channel, outTradeNo, localAmount, alipayAmount: '', action: '' });
    else if (parseCents(billAmount) !== parseCents(localAmount))
      differences.push({ type: 'AMOUNT_MISMATCH', channel, outTradeNo, localAmount, alipayAmount: billAmount, action: '' });
    else matched++;
  }
  for (const [outTradeNo, billAmount] of bill) {
    if (!local.has(outTradeNo))
      differences.push({ type: 'THIRD_PARTY_ONLY', channel, outTradeNo, localAmount: '', alipayAmount: billAmount, action: await recover(deps, outTradeNo) });
  }
  return matched;
}

/** A payment of the shop a channel took: applied if the shop did not record it. */
async function recover(deps: SettleDeps, outTradeNo: string): Promise<string> {
  const payment = isSnowflakeId(outTradeNo) ? await deps.store.findPayment(outTradeNo) : undefined;
  if (!payment) return 'not a payment of this shop';
  if (payment.status === 'PAID' || payment.status === 'REFUNDED') return `recorded as ${payment.status} on another day`;
  return (await recoverPayment(deps, payment)) ? 'applied: its order takes it or it is refunded' : 'the channel does not confirm it yet; run again later';
}
