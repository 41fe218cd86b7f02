/**
 * A range of UTC days as the admin dashboards ask for it (YYYY-MM-DD, both ends included), and
 * a series over it with zeros where nothing happened.
 */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isCalendarDate } from './alipay-time';

const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 366;

export interface DayRange {
  /** The first day's midnight, UTC. */
  from: Date;
  /** Midnight after the last day, UTC (excluded). */
  end: Date;
  days: string[];
}

export function dayRange(from: string, to: string): DayRange | DomainError {
  if (!isCalendarDate(from) || !isCalendarDate(to)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'from and to must be dates like 2026-12-05');
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  const count = (end - start) / DAY_MS;
  if (count < 1 || count > MAX_RANGE_DAYS)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `from must not be after to, and the range at most ${MAX_RANGE_DAYS} days`);
  return { from: new Date(start), end: new Date(end), days: Array.from({ length: count }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10)) };
}

/** The last `count` UTC days up to today, as a dashboard asks for them by default. */
export function recentDays(count: number, now = new Date()): { from: string; to: string } {
  return { from: new Date(now.getTime() - (count - 1) * DAY_MS).toISOString().slice(0, 10), to: now.toISOString().slice(0, 10) };
}

/** One row per day of the range: the row found for it, or `zero(day)`. */
export function daySeries<T extends { day: string }>(range: DayRange, found: T[], zero: (day: string) => T): T[] {
  const byDay = new Map(found.map((row) => [row.day, row]));
  return range.days.map((day) => byDay.get(day) ?? zero(day));
}
