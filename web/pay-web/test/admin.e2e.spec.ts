/** pay-web's admin views: every refund, newest first, and payments and refunds per UTC day. */
import assert from 'node:assert/strict';
import { withSystem } from '../../order-web/test/support/end-to-end';
import type { SystemState } from '../../order-web/test/support/system-state';
import { paidOrder, until } from './support/fixtures';
import { http, PAY_WEB, refund } from './support/pay-api';

describe("pay-web's admin views", function () {
  this.timeout(120_000);
  let admin: string;
  let state: SystemState;
  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  const today = () => new Date().toISOString().slice(0, 10);
  const stats = async () => {
    const reply = await http('GET', `${PAY_WEB}/api/v1/admin/stats/payments?from=${today()}&to=${today()}`, { token: admin });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.days[0] as { payments: number; paid: number; refundsSucceeded: number; refunded: string };
  };

  it('counts a paid payment and its refund, and lists the refund first among all refunds', async () => {
    const before = await stats();
    const order = await paidOrder(admin, state);
    const asked = await refund(
      order.customer.token,
      order.orderId,
      { amount: '12.34', reason: 'scratched' },
      { 'idempotency-key': `admin-view-${order.orderId}` },
    );
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    await until('the refund to succeed', async () => (await state.payment(order.paymentId))?.refunded_amount === '12.34');

    // Newest first: this refund is on the first page (automatic refunds of earlier tests may land meanwhile).
    const listed = await http('GET', `${PAY_WEB}/api/v1/admin/refunds?size=20`, { token: admin });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const mine = listed.body.items.find((item: { refundId: string }) => item.refundId === asked.body.refundId);
    assert.deepEqual([mine?.amount, mine?.status], ['12.34', 'SUCCEEDED']);
    const ids = listed.body.items.map((item: { refundId: string }) => BigInt(item.refundId));
    assert.deepEqual(
      ids,
      [...ids].sort((a: bigint, b: bigint) => (a > b ? -1 : 1)),
      'newest first',
    );
    assert.ok(listed.body.total >= 1);
    const succeeded = await http('GET', `${PAY_WEB}/api/v1/admin/refunds?status=SUCCEEDED&size=100`, { token: admin });
    assert.ok(succeeded.body.items.every((item: { status: string }) => item.status === 'SUCCEEDED'));

    const after = await stats();
    assert.equal(after.payments - before.payments, 1);
    assert.equal(after.paid - before.paid, 1);
    // At least this one: a late automatic refund of an earlier test may be counted too.
    assert.ok(after.refundsSucceeded - before.refundsSucceeded >= 1);
    assert.ok(Number(after.refunded) - Number(before.refunded) >= 12.34 - 1e-9, `refunded ${before.refunded} -> ${after.refunded}`);
  });

  it('is for admins only, and refuses bad filters', async () => {
    const order = await paidOrder(admin, state);
    assert.equal((await http('GET', `${PAY_WEB}/api/v1/admin/refunds`, { token: order.customer.token })).status, 403);
    assert.equal((await http('GET', `${PAY_WEB}/api/v1/admin/stats/payments`, { token: order.customer.token })).status, 403);
    assert.equal((await http('GET', `${PAY_WEB}/api/v1/admin/refunds?status=LOST`, { token: admin })).status, 400);
    assert.equal((await http('GET', `${PAY_WEB}/api/v1/admin/stats/payments?from=2026-12-05&to=2025-01-01`, { token: admin })).status, 400);
  });
});
