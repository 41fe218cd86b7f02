/** The dashboard's numbers per UTC day, against the in-memory repository. */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { orderStats } from '../../src/domain/order-stats';
import { orderIn } from '../support/orders';
import { Clock, MemoryOrders } from './fakes/memory-repositories';

describe('order stats (unit)', () => {
  it('counts placed, refused, paid and cancelled orders and sums revenue per day, zeros for quiet days', async () => {
    const clock = new Clock(Date.parse('2026-12-03T23:59:00Z'));
    const orders = new MemoryOrders(clock);
    const deadline = { payDeadline: new Date(clock.ms + 60_000) };
    await orderIn(orders, ['confirm', 'pay'], deadline); // 8.00 by Alipay + 2.00 balance
    await orderIn(orders, ['failPlacement']);
    clock.advance(2 * 60_000); // 2026-12-04
    await orderIn(orders, ['confirm', 'expire'], deadline);
    await orderIn(orders, ['payInFull'], {}, { payAmount: '0.00', balancePaid: '10.00' });

    const days = await orderStats(orders, { from: '2026-12-02', to: '2026-12-04' });
    assert.ok(!(days instanceof DomainError));
    assert.deepEqual(days, [
      { day: '2026-12-02', placed: 0, refused: 0, paid: 0, cancelled: 0, revenue: '0.00', refunded: '0.00' },
      { day: '2026-12-03', placed: 1, refused: 1, paid: 1, cancelled: 0, revenue: '10.00', refunded: '0.00' },
      { day: '2026-12-04', placed: 2, refused: 0, paid: 1, cancelled: 1, revenue: '10.00', refunded: '0.00' },
    ]);
  });

  it('refuses a reversed, too long or malformed range', async () => {
    const orders = new MemoryOrders(new Clock());
    for (const range of [
      { from: '2026-12-05', to: '2026-12-04' },
      { from: '2025-01-01', to: '2026-12-04' },
      { from: '2026-02-30', to: '2026-03-01' },
      { from: 'today', to: '2026-03-01' },
    ]) {
      const refused = await orderStats(orders, range);
      assert.ok(refused instanceof DomainError && refused.code === ErrorCode.INVALID_ARGUMENT, JSON.stringify(range));
    }
  });
});
