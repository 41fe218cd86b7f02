/**
 * Alipay writes times as "yyyy-MM-dd HH:mm:ss" in China Standard Time (UTC+8, no daylight
 * saving), whatever the merchant's time zone: time_expire, gmt_payment, notify_time...
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;

export function toAlipayTime(date: Date): string {
  return new Date(date.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** undefined when the text is not "yyyy-MM-dd HH:mm:ss". */
export function fromAlipayTime(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const date = new Date(`${text.replace(' ', 'T')}+08:00`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
