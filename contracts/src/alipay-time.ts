/**
 * Alipay writes times as "yyyy-MM-dd HH:mm:ss" in China Standard Time (UTC+8, no daylight
 * saving), whatever the merchant's time zone: time_expire, gmt_payment, notify_time...
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;

export function toAlipayTime(date: Date): string {
  return new Date(date.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * True for "yyyy-MM-dd" naming a day of the calendar. `new Date('2026-02-30')` is not invalid in
 * JavaScript, it is 2 March, while MySQL and Alipay refuse that date: check the day round-trips.
 */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** undefined when the text is not "yyyy-MM-dd HH:mm:ss" of a real day and time. */
export function fromAlipayTime(text: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.exec(text);
  if (!match || !isCalendarDate(match[1]!)) return undefined;
  return new Date(`${text.replace(' ', 'T')}+08:00`);
}
