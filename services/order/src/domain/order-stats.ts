/** The admin dashboard's numbers: orders and money per UTC day. */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isCalendarDate } from '@shop/contracts';
import type { DayStatsRow, OrderRepository } from './ports';

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

/** Every day from `from` to `to` (both included, YYYY-MM-DD in UTC), zeros where nothing was ordered. */
export async function orderStats(store: OrderRepository, input: { from: string; to: string }): Promise<DayStatsRow[] | DomainError> {
  if (!isCalendarDate(input.from) || !isCalendarDate(input.to)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'from and to must be dates like 2026-12-05');
  const from = new Date(`${input.from}T00:00:00Z`);
  const end = new Date(`${input.to}T00:00:00Z`).getTime() + DAY_MS;
  const days = (end - from.getTime()) / DAY_MS;
  if (days < 1 || days > MAX_DAYS) return new DomainError(ErrorCode.INVALID_ARGUMENT, `from must not be after to, and the range at most ${MAX_DAYS} days`);
  const found = new Map((await store.dailyStats(from, new Date(end))).map((row) => [row.day, row]));
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    return found.get(day) ?? { day, placed: 0, refused: 0, paid: 0, cancelled: 0, revenue: '0.00', refunded: '0.00' };
  });
}
