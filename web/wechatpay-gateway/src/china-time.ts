/**
 * WeChat Pay keeps China's clock (UTC+8, no daylight saving): its API times are RFC 3339 with
 * +08:00, its bills are by China day with "yyyy-MM-dd HH:mm:ss" China times, whatever the
 * merchant's own time zone.
 */

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The instant as China's wall clock, "yyyy-MM-ddTHH:mm:ss" (no zone). */
function chinaWallClock(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19);
}

/** The API's format: 2026-12-07T18:30:00+08:00 (seconds, China time). */
export function toWechatTime(at: Date): string {
  return `${chinaWallClock(at)}+08:00`;
}

/** The bill's format: "2026-12-07 18:30:00" (China time). */
export function toBillTime(at: Date): string {
  return chinaWallClock(at).replace('T', ' ');
}

/** The China date ("yyyy-MM-dd") of an instant: 2026-11-30T16:30:00Z is 2026-12-01. */
export function chinaDate(at: Date): string {
  return chinaWallClock(at).slice(0, 10);
}

/** The instant a China day starts: "2026-12-01" is 2026-11-30T16:00:00Z. */
export function chinaDayStart(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00+08:00`));
}

/** The China date `days` after (or before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  return chinaDate(new Date(chinaDayStart(date).getTime() + days * 86_400_000));
}

/** A real calendar date written "yyyy-MM-dd" (2026-02-30 is not). */
export function isCalendarDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

/**
 * An RFC 3339 time as WeChat takes it (yyyy-MM-DDTHH:mm:ss+TIMEZONE, fractions allowed), or
 * undefined: a time without its zone is ambiguous and refused.
 */
export function fromRfc3339(text: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match || !isCalendarDate(match[1]!)) return undefined;
  if (Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4]) > 59) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}
