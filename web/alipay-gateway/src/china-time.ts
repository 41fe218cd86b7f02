/**
 * Alipay's calendar is China's (UTC+8, no daylight saving): a day's bill holds the trades paid
 * between 00:00 and 24:00 China time, whatever the merchant's time zone.
 */
import { toAlipayTime } from '@shop/contracts';

/** The China date ("yyyy-MM-dd") of an instant: 2026-11-30T16:30:00Z is 2026-12-01. */
export function chinaDate(at: Date): string {
  return toAlipayTime(at).slice(0, 10);
}
