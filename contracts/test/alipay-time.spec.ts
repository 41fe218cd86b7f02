import assert from 'node:assert/strict';
import { fromAlipayTime, isCalendarDate, toAlipayTime } from '../src/alipay-time';

describe('Alipay times and calendar days', () => {
  it('a calendar day is one that exists: 30 February is refused, not rolled over to March', () => {
    for (const day of ['2026-01-31', '2028-02-29', '2026-12-31']) assert.equal(isCalendarDate(day), true, day);
    for (const day of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-01', '2026-01-01 ', ''])
      assert.equal(isCalendarDate(day), false, day);
  });

  it('reads "yyyy-MM-dd HH:mm:ss" as China time and refuses impossible days and hours', () => {
    assert.equal(fromAlipayTime('2026-12-01 08:00:00')?.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(toAlipayTime(new Date('2026-11-30T16:00:00Z')), '2026-12-01 00:00:00');
    for (const text of ['2026-02-30 10:00:00', '2026-12-01 24:00:00', '2026-12-01 10:60:00', '2026-12-01T10:00:00'])
      assert.equal(fromAlipayTime(text), undefined, text);
  });
});
