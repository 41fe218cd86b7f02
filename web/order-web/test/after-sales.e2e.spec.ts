/**
 * After shipment a customer asks; an admin approves (the refund runs: money and points back, no
 * stock, the coupon stays spent) or rejects (nothing moves). The window closes
 * ORDER_AFTER_SALES_DAYS after completion. Needs the whole system (pay-web, the gateway).
 */
import assert from 'node:assert/strict';
import { withSystem } from './support/end-to-end';
import { call, newCustomer } from './support/shop-api';
import type { SystemState } from './support/system-state';
import { paidOrder, until } from '../../pay-web/test/support/fixtures';
import { refundsAtGateway, refundsOf } from '../../pay-web/test/support/pay-api';

describe('after-sales requests', function () {
  this.timeout(180_000);
  let admin: string;
  let state: SystemState;

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  const ship = (orderId: string) => call('POST', `/api/v1/admin/orders/${orderId}/ship`, { token: admin });
  const ask = (token: string, orderId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call('POST', `/api/v1/orders/${orderId}/after-sales`, { token, json: body, headers });
  const decide = (id: string, decision: 'approve' | 'reject', note?: string) =>
    call('POST', `/api/v1/admin/after-sales/${id}/${decision}`, { token: admin, json: note ? { note } : undefined });

  it('approved: the refund runs after shipment (money and points back, no stock, the coupon stays spent), the order REFUNDED', async () => {
    const { goodsId, customer, orderId, paymentId } = await paidOrder(admin, state, { coupon: true });
    assert.equal((await ship(orderId)).status, 200);
    const asked = await ask(customer.token, orderId, { reason: 'arrived broken' }, { 'idempotency-key': 'as-1' });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    assert.deepEqual([asked.body.status, asked.body.amount], ['OPEN', null]);
    const again = await ask(customer.token, orderId, { reason: 'arrived broken' }, { 'idempotency-key': 'as-1' });
    assert.equal(again.body.afterSalesId, asked.body.afterSalesId, 'the same key answers the same request');
    const second = await ask(customer.token, orderId, { reason: 'again' });
    assert.deepEqual([second.status, second.body.code], [409, 'REFUND_IN_PROGRESS']);
    const listed = await call('GET', '/api/v1/admin/after-sales?status=OPEN&size=100', { token: admin });
    assert.ok(listed.body.items.some((item: { afterSalesId: string }) => item.afterSalesId === asked.body.afterSalesId));

    const approved = await decide(asked.body.afterSalesId, 'approve', 'sorry about that');
    assert.deepEqual(
      [approved.status, approved.body.status, approved.body.decidedBy],
      [200, 'APPROVED', `admin:${(await call('GET', '/api/v1/me', { token: admin })).body.userId}`],
    );
    await until('the order to be REFUNDED', async () => (await state.order(orderId))?.status === 'REFUNDED');
    await until('the request to say REFUNDED', async () => (await state.afterSales(asked.body.afterSalesId))?.status === 'REFUNDED');
    assert.deepEqual(Object.values(await refundsAtGateway(paymentId)), ['45.00']);
    assert.equal(await state.balance(customer.userId), '50.00');
    assert.equal(await state.points(customer.userId), '0');
    assert.equal(await state.stock(goodsId), 8, 'shipped goods are with the customer: no stock comes back');
    assert.equal((await state.coupon(customer.couponIds[0]!)).used, 1, 'the coupon stays spent after shipment');
    const refunds = await refundsOf(customer.token, orderId);
    assert.deepEqual(
      refunds.map((r: { kind: string; status: string; amount: string }) => [r.kind, r.status, r.amount]),
      [['AFTER_SALES', 'SUCCEEDED', '65.00']],
    );
    assert.equal((await state.afterSales(asked.body.afterSalesId))?.refund_id, refunds[0].refundId);
    assert.deepEqual(
      [(await decide(asked.body.afterSalesId, 'approve')).status, (await decide(asked.body.afterSalesId, 'reject')).body.code],
      [200, 'AFTER_SALES_STATE'],
    );
  });

  it('rejected: nothing moves, and the customer may ask again', async () => {
    const { customer, orderId, paymentId } = await paidOrder(admin, state);
    await ship(orderId);
    assert.equal((await call('POST', `/api/v1/orders/${orderId}/receipt`, { token: customer.token })).status, 200);
    const asked = await ask(customer.token, orderId, { reason: 'do not like the colour', amount: '10.00' });
    assert.equal(asked.body.amount, '10.00');
    const rejected = await decide(asked.body.afterSalesId, 'reject', 'worn');
    assert.deepEqual([rejected.body.status, rejected.body.note], ['REJECTED', 'worn']);
    assert.equal((await state.order(orderId))?.status, 'COMPLETED');
    assert.deepEqual(await refundsAtGateway(paymentId), {});
    assert.equal(await state.balance(customer.userId), '30.00');
    assert.equal(await state.points(customer.userId), '70');
    const approveRejected = await decide(asked.body.afterSalesId, 'approve');
    assert.deepEqual([approveRejected.status, approveRejected.body.code], [409, 'AFTER_SALES_STATE']);
    const partial = await ask(customer.token, orderId, { reason: 'one arrived broken', amount: '10.00' });
    assert.equal((await decide(partial.body.afterSalesId, 'approve')).status, 200);
    await until('the partial refund', async () => (await state.afterSales(partial.body.afterSalesId))?.status === 'REFUNDED');
    assert.deepEqual(Object.values(await refundsAtGateway(paymentId)), ['10.00']);
    assert.equal((await state.order(orderId))?.status, 'COMPLETED', 'partly refunded');
    assert.equal((await state.order(orderId))?.refunded_amount, '10.00');
  });

  it('the rules: not before shipment, not for another user, not after the window, not more than is left', async () => {
    const { customer, orderId } = await paidOrder(admin, state);
    const paid = await ask(customer.token, orderId, { reason: 'early' });
    assert.deepEqual([paid.status, paid.body.code], [409, 'ORDER_STATE'], 'a PAID order is refunded directly');
    await ship(orderId);
    const stranger = await newCustomer(admin);
    assert.deepEqual((await ask(stranger.token, orderId, { reason: 'mine' })).status, 404);
    assert.deepEqual((await ask(customer.token, orderId, { reason: 'much', amount: '70.01' })).body.code, 'INVALID_ARGUMENT');
    assert.equal((await call('GET', '/api/v1/admin/after-sales', { token: customer.token })).status, 403);
    await call('POST', `/api/v1/orders/${orderId}/receipt`, { token: customer.token });
    await state.backdateCompletion(orderId, 8);
    const late = await ask(customer.token, orderId, { reason: 'late' });
    assert.deepEqual([late.status, late.body.code], [409, 'ORDER_STATE']);
    assert.match(late.body.message, /window/);
    assert.deepEqual((await call('GET', `/api/v1/orders/${orderId}/after-sales`, { token: customer.token })).body.items, []);
  });
});
