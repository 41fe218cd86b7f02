/** The admin dashboard's numbers: orders and money per UTC day. */
import { DomainError } from '@shop/common/errors';
import { dayRange, daySeries } from '@shop/contracts';
import type { DayStatsRow, OrderRepository } from './ports';

/** Every day from `from` to `to` (both included, YYYY-MM-DD in UTC), zeros where nothing was ordered. */
export async function orderStats(store: OrderRepository, input: { from: string; to: string }): Promise<DayStatsRow[] | DomainError> {
  const range = dayRange(input.from, input.to);
  if (range instanceof DomainError) return range;
  return daySeries(range, await store.dailyStats(range.from, range.end), (day) => ({
    day,
    placed: 0,
    refused: 0,
    paid: 0,
    cancelled: 0,
    revenue: '0.00',
    refunded: '0.00',
  }));
}
