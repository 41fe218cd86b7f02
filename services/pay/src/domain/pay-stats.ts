/** The admin dashboard's numbers on the pay side: payments and refunds per UTC day. */
import { DomainError } from '@shop/common/errors';
import { dayRange, daySeries } from '@shop/contracts';
import type { PayDayStats, PaymentRepository, RefundRepository } from './ports';

const ZERO = { payments: 0, paid: 0, closed: 0, refundsSucceeded: 0, refundsFailed: 0, refundsPending: 0, refunded: '0.00' };

/** Every day from `from` to `to` (both included, YYYY-MM-DD in UTC), zeros where nothing happened. */
export async function payStats(
  deps: { store: PaymentRepository; refunds: RefundRepository },
  input: { from: string; to: string },
): Promise<PayDayStats[] | DomainError> {
  const range = dayRange(input.from, input.to);
  if (range instanceof DomainError) return range;
  const [payments, refunds] = await Promise.all([deps.store.dailyStats(range.from, range.end), deps.refunds.dailyStats(range.from, range.end)]);
  const paymentsOf = new Map(payments.map((row) => [row.day, row]));
  const refundsOf = new Map(refunds.map((row) => [row.day, row]));
  const found = [...new Set([...paymentsOf.keys(), ...refundsOf.keys()])].map((day) => ({ ...ZERO, ...paymentsOf.get(day), ...refundsOf.get(day), day }));
  return daySeries(range, found, (day) => ({ ...ZERO, day }));
}
