/**
 * A customer's refund (src/domain/refunds.ts requestRefund, carried out by refund-runner.ts):
 * one refund per idempotency key, never more than was paid, Alipay's refusals, and refunds
 * interrupted at any step carried on without paying anything twice.
 */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { Tags } from '@shop/contracts';
import type { RefundLine } from '../../src/domain/ports';
import { requestRefund, type CustomerRefundInput, type RefundView } from '../../src/domain/refunds';
import type { StepHook } from '../../src/domain/refund-runner';
import { resumeRefunds } from '../../src/mq/refund.sweeper';
import { LEASE_MS, paidOrder, payWorld, tags } from './fakes/pay-world';

const apple: RefundLine = { goodsId: '1000000000000000001', quantity: 2 };

async function setup(options: Parameters<typeof paidOrder>[2] = {}, payAmount = '48.00') {
  const world = payWorld();
  const { order, paymentId } = await paidOrder(world, payAmount, options);
  const refund = (input: Partial<CustomerRefundInput> = {}, hook?: StepHook) =>
    requestRefund(
      world.deps,
      { requestId: 'key-1', orderId: order.orderId, userId: world.userId, amount: '', reason: 'changed my mind', items: [], ...input },
      hook,
    );
  const payment = async () => (await world.store.findPayment(paymentId))!;
  /** Back-offs and leases run out (the database's clock moves on). */
  const later = () => world.clock.skip(LEASE_MS + 1);
  return { ...world, order, paymentId, refund, payment, later };
}

const view = (result: RefundView | DomainError): RefundView => {
  if (result instanceof DomainError) assert.fail(`expected a refund, got ${result.code}: ${result.message}`);
  return result;
};

const refused = (result: RefundView | DomainError, code: string): DomainError => {
  assert.ok(result instanceof DomainError, `expected ${code}, got a refund ${JSON.stringify(result)}`);
  assert.equal(result.code, code, result.message);
  return result;
};

describe("a customer's refund (unit, in memory)", () => {
  describe('carried out', () => {
    it('gives everything back through Alipay once, makes the payment REFUNDED and announces pay.refund-finished', async () => {
      const { store, refunds, alipay, orders, order, paymentId, refund, payment } = await setup();
      const done = view(await refund());
      assert.deepEqual([done.status, done.amount, done.alipayAmount, done.balanceAmount, done.points], ['SUCCEEDED', '48.00', '48.00', '0.00', '48']);
      assert.deepEqual([...alipay.trades.get(paymentId)!.refunds], [[done.refundId, '48.00']]);
      assert.deepEqual([(await payment()).status, (await payment()).refunded_amount], ['REFUNDED', '48.00']);
      assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED, Tags.PAY_REFUND_FINISHED]);
      assert.deepEqual(store.outbox[1]!.body, { refundId: done.refundId, orderId: order.orderId, status: 'SUCCEEDED', reason: '' });
      assert.equal(orders.orders.get(order.orderId)!.status, 'REFUNDED', 'told at once (FinishRefund), besides the message');
      assert.ok(store.payLog.some((line) => line.event === `REFUND ${done.refundId}`));
      assert.equal(refunds.all().length, 1);
    });

    it('runs each step of its plan once, in order: Alipay, balance, points, stock, coupon', async () => {
      const { alipay, orders, order, refund } = await setup({ balancePaid: '20.00', items: [apple], couponId: '1000000000000000009' });
      const done = view(await refund());
      assert.deepEqual([done.status, done.amount, done.alipayAmount, done.balanceAmount, done.points], ['SUCCEEDED', '68.00', '48.00', '20.00', '68']);
      assert.deepEqual(alipay.callsOf('refund').length, 1);
      const id = done.refundId;
      assert.deepEqual(orders.calls, [`hold:${id}`, `balance:${id}`, `points:${id}`, `stock:${id}`, `coupon:${order.orderId}`, `finish:${id}`]);
      assert.deepEqual(
        [orders.given.balance.get(id), orders.given.points.get(id), orders.given.stock.get(id), orders.couponsReleased.has(order.orderId)],
        ['20.00', '68', [apple], true],
      );
    });

    it('partial refunds never exceed what was paid: asking beyond what is left is refused before anything happens', async () => {
      const { alipay, orders, refunds, order, paymentId, refund, payment } = await setup();
      const first = view(await refund({ requestId: 'part-1', amount: '30.00' }));
      assert.deepEqual([first.status, (await payment()).status, (await payment()).refunded_amount], ['SUCCEEDED', 'PAID', '30.00']);

      const tooMuch = refused(await refund({ requestId: 'part-2', amount: '18.01' }), ErrorCode.INVALID_ARGUMENT);
      assert.match(tooMuch.message, /at most 18\.00/);
      assert.equal(refunds.all().length, 1, 'no row for a refused request');
      assert.equal(orders.callsTo('hold').length, 1, 'refused by the pay service before asking the order service');

      const rest = view(await refund({ requestId: 'part-3', amount: '18.00' }));
      assert.equal(rest.status, 'SUCCEEDED');
      assert.deepEqual([(await payment()).status, (await payment()).refunded_amount, alipay.refundedOf(paymentId)], ['REFUNDED', '48.00', '48.00']);
      refused(await refund({ requestId: 'part-4', amount: '0.01' }), ErrorCode.ORDER_STATE);
      assert.equal(order.refundedAmount, '48.00');
    });
  });

  describe('one idempotency key, one refund', () => {
    it('the same request again answers the same refund, and asks nobody anything again', async () => {
      const { alipay, orders, refunds, refund } = await setup();
      const first = view(await refund());
      const calls = [...orders.calls];
      const again = view(await refund());
      assert.deepEqual(again, first);
      assert.deepEqual(orders.calls, calls);
      assert.equal(alipay.callsOf('refund').length, 1);
      assert.equal(refunds.all().length, 1);
    });

    it('concurrent requests with one key make one refund: one row, one hold, one Alipay refund, the same answer', async () => {
      const { alipay, orders, refunds, paymentId, refund } = await setup();
      const [a, b] = await Promise.all([refund(), refund()]);
      assert.equal(view(a).refundId, view(b).refundId);
      assert.deepEqual([view(a).status, view(b).status], ['SUCCEEDED', 'SUCCEEDED']);
      assert.equal(refunds.all().length, 1);
      assert.equal(orders.callsTo('hold').length, 1);
      assert.equal(alipay.callsOf('refund').length, 1);
      assert.equal(alipay.refundedOf(paymentId), '48.00');
    });

    it('the same key with another body is refused (IDEMPOTENCY_KEY_REUSED): the first request stands', async () => {
      const { alipay, refunds, refund } = await setup();
      const first = view(await refund({ amount: '10.00' }));
      refused(await refund({ amount: '20.00' }), ErrorCode.IDEMPOTENCY_KEY_REUSED);
      refused(await refund({ amount: '10.00', reason: 'another reason' }), ErrorCode.IDEMPOTENCY_KEY_REUSED);
      assert.deepEqual(
        refunds.all().map((row) => row.id),
        [first.refundId],
      );
      assert.equal(alipay.callsOf('refund').length, 1);
    });
  });

  describe('refused', () => {
    const states: [string, RegExp][] = [
      ['SHIPPED', /after-sales request/],
      ['CONFIRMED', /only paid orders/],
    ];
    for (const [status, message] of states) {
      it(`an order ${status} is refused (ORDER_STATE) without a row`, async () => {
        const { orders, refunds, order, refund } = await setup();
        orders.orders.get(order.orderId)!.status = status;
        assert.match(refused(await refund(), ErrorCode.ORDER_STATE).message, message);
        assert.deepEqual([refunds.all(), orders.calls], [[], []]);
      });
    }

    it('while another refund of the order is PENDING, another key is refused (REFUND_IN_PROGRESS)', async () => {
      const { orders, refunds, refund } = await setup({ balancePaid: '20.00' });
      orders.down.add('balance');
      assert.equal(view(await refund({ requestId: 'first', amount: '60.00' })).status, 'PENDING');
      refused(await refund({ requestId: 'second', amount: '1.00' }), ErrorCode.REFUND_IN_PROGRESS);
      assert.equal(refunds.all().length, 1);
    });

    it('a hold the order service refuses is answered, and leaves no row and no money moved', async () => {
      const { orders, refunds, alipay, order, refund } = await setup();
      // An after-sales refund of the order runs at the order service (the pay side sees no PENDING row).
      orders.holds.set('1000000000000000077', { orderId: order.orderId, plan: {} as never, status: 'OPEN' });
      refused(await refund(), ErrorCode.REFUND_IN_PROGRESS);
      assert.deepEqual(refunds.all(), []);
      assert.deepEqual(alipay.callsOf('refund'), []);
    });

    it('Alipay refusing for good ends the refund FAILED with the reason: nothing given back, the order told', async () => {
      const { store, alipay, orders, order, refund, payment } = await setup({ balancePaid: '20.00' });
      alipay.fail('refund', { refuse: 'ACQ.TRADE_STATUS_ERROR' });
      const failed = view(await refund());
      assert.equal(failed.status, 'FAILED');
      assert.match(failed.failureReason, /ACQ\.TRADE_STATUS_ERROR/);
      assert.deepEqual([(await payment()).status, (await payment()).refunded_amount], ['PAID', '0.00']);
      assert.deepEqual(orders.given.balance, new Map(), 'no step after a refusal');
      assert.deepEqual(tags(store), [Tags.PAY_SUCCEEDED, Tags.PAY_REFUND_FINISHED]);
      assert.equal((store.outbox[1]!.body as { status: string }).status, 'FAILED');
      assert.deepEqual([orders.holds.get(failed.refundId)!.status, orders.orders.get(order.orderId)!.status], ['FAILED', 'PAID']);
    });
  });

  describe('interrupted, then carried on', () => {
    it('Alipay failing for now (ACQ.SYSTEM_ERROR) postpones it; the sweeper finishes it, asking Alipay first whether it refunded', async () => {
      const { refunds, alipay, paymentId, refund, later, deps } = await setup();
      alipay.fail('refund', { refuse: 'ACQ.SYSTEM_ERROR' });
      const pending = view(await refund());
      assert.equal(pending.status, 'PENDING');
      assert.match(pending.failureReason, /ACQ\.SYSTEM_ERROR/);
      assert.equal(await resumeRefunds(deps), 0, 'not before its back-off');

      later();
      assert.equal(await resumeRefunds(deps), 1);
      const row = (await refunds.find(pending.refundId))!;
      assert.deepEqual([row.status, row.attempts, row.alipay_attempts], ['SUCCEEDED', 1, 2]);
      assert.equal(alipay.callsOf('refundQuery').length, 1);
      assert.equal(alipay.refundedOf(paymentId), '48.00');
    });

    it('an Alipay refund whose answer was lost is resumed to SUCCEEDED by the repeated request, without a second payout', async () => {
      const { alipay, paymentId, refund, payment, later } = await setup();
      alipay.fail('refund', 'lost');
      const pending = view(await refund());
      assert.equal(pending.status, 'PENDING');
      assert.equal(alipay.refundedOf(paymentId), '48.00', 'Alipay did refund');

      later();
      const done = view(await refund());
      assert.deepEqual([done.refundId, done.status], [pending.refundId, 'SUCCEEDED']);
      assert.deepEqual(alipay.callsOf('refund').length, 1, 'asked by refund query, not refunded again');
      assert.deepEqual([...alipay.trades.get(paymentId)!.refunds.keys()], [pending.refundId]);
      assert.deepEqual([(await payment()).status, (await payment()).refunded_amount], ['REFUNDED', '48.00']);
    });

    it('a crash after the Alipay step: the sweeper carries on from the balance, and Alipay is not asked again', async () => {
      const { alipay, orders, refunds, refund, later, deps } = await setup({ balancePaid: '20.00' });
      const crash: StepHook = async (step) => {
        if (step === 'alipay') throw new Error('process killed');
      };
      const pending = view(await refund({}, crash));
      const row = (await refunds.find(pending.refundId))!;
      assert.ok(row.alipay_done_at && !row.balance_done_at);

      later();
      await resumeRefunds(deps);
      assert.equal((await refunds.find(pending.refundId))!.status, 'SUCCEEDED');
      assert.deepEqual([alipay.callsOf('refund').length, alipay.callsOf('refundQuery').length], [1, 0]);
      assert.deepEqual(orders.callsTo('balance'), [`balance:${pending.refundId}`]);
    });

    it('a runner that hangs after the balance step keeps its lease; once it expires the sweeper finishes without giving the balance twice', async () => {
      const { alipay, orders, refunds, refund, later, deps, order } = await setup({ balancePaid: '20.00' });
      const hang: StepHook = (step) => (step === 'balance' ? new Promise<never>(() => undefined) : Promise.resolve());
      void refund({}, hang);
      await new Promise((resolve) => setImmediate(resolve));
      const [row] = refunds.all();
      assert.ok(row!.balance_done_at && !row!.points_done_at);
      assert.equal(await resumeRefunds(deps), 0, 'the hanging runner still holds it');

      later();
      assert.equal(await resumeRefunds(deps), 1);
      assert.equal((await refunds.find(row!.id))!.status, 'SUCCEEDED');
      assert.deepEqual(
        orders.calls.filter((call) => !call.startsWith('finish')),
        [`hold:${row!.id}`, `balance:${row!.id}`, `points:${row!.id}`],
      );
      assert.equal(alipay.callsOf('refund').length, 1);
      assert.equal(orders.orders.get(order.orderId)!.status, 'REFUNDED');
    });

    it('a step whose service is down postpones the refund; it goes on from there once the service is back', async () => {
      const { orders, refunds, refund, later, deps } = await setup({ balancePaid: '20.00' });
      orders.down.add('points');
      const pending = view(await refund());
      assert.equal(pending.status, 'PENDING');
      orders.down.delete('points');
      later();
      await resumeRefunds(deps);
      assert.equal((await refunds.find(pending.refundId))!.status, 'SUCCEEDED');
      assert.deepEqual([orders.callsTo('balance').length, orders.callsTo('points').length], [1, 2]);
    });
  });
});

/**
 * A refund whose resumed hold is refused is deleted (deleteUnheld): the request that resumed it
 * answers the refusal, and a concurrent one with the same key, which finds the row gone, asks
 * again from the start and meets the same refusal (it once dereferenced the deleted row).
 */
describe("a customer's refund whose resumed hold is refused", () => {
  it('a repeated request answers the refusal of the order service, and leaves no row', async () => {
    const { orders, refunds, order, refund, later } = await setup();
    orders.down.add('hold');
    assert.equal(view(await refund()).status, 'PENDING');
    orders.down.delete('hold');
    orders.orders.get(order.orderId)!.status = 'SHIPPED';
    later();
    refused(await refund(), ErrorCode.ORDER_STATE);
    assert.deepEqual(refunds.all(), []);
  });

  it('two concurrent requests with one key whose hold is refused both answer the refusal', async () => {
    const { orders, order, refund } = await setup();
    orders.holds.set('1000000000000000077', { orderId: order.orderId, plan: {} as never, status: 'OPEN' });
    const hold = orders.parties.holdRefund;
    orders.parties.holdRefund = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return hold(request);
    };
    const [a, b] = await Promise.all([refund(), refund()]);
    refused(a, ErrorCode.REFUND_IN_PROGRESS);
    refused(b, ErrorCode.REFUND_IN_PROGRESS);
  });
});
