import assert from 'node:assert/strict';
import { PAYMENT_STATUSES, paymentMachine, refundMachine } from '../../src/domain/pay-status';

describe('the payment and refund status machines', () => {
  it('a payment Alipay took is applied even after the shop closed it', () => {
    assert.deepEqual(
      PAYMENT_STATUSES.filter((s) => paymentMachine.can('pay', s)),
      ['UNPAID', 'CLOSED'],
    );
  });

  it('only an unpaid payment closes, only a paid one is refunded in full, and REFUNDED is final', () => {
    assert.deepEqual(
      PAYMENT_STATUSES.filter((s) => paymentMachine.can('close', s)),
      ['UNPAID'],
    );
    assert.deepEqual(
      PAYMENT_STATUSES.filter((s) => paymentMachine.can('refundInFull', s)),
      ['PAID'],
    );
    assert.deepEqual(paymentMachine.final(), ['REFUNDED']);
  });

  it('a payment that cannot be paid now never can again (applyPayment answers a repeat from its read)', () => {
    const moves = Object.keys(paymentMachine.moves) as (keyof typeof paymentMachine.moves)[];
    const reachable = (from: (typeof PAYMENT_STATUSES)[number]) => {
      const seen = new Set([from]);
      for (const status of seen) for (const move of moves) if (paymentMachine.can(move, status)) seen.add(paymentMachine.moves[move].to);
      return [...seen];
    };
    for (const status of PAYMENT_STATUSES.filter((s) => !paymentMachine.can('pay', s)))
      assert.deepEqual(
        reachable(status).filter((s) => paymentMachine.can('pay', s)),
        [],
        `from ${status}`,
      );
  });

  it('a refund ends once, SUCCEEDED or FAILED', () => {
    assert.deepEqual(refundMachine.final().sort(), ['FAILED', 'SUCCEEDED']);
    assert.equal(refundMachine.can('succeed', 'FAILED'), false);
    assert.equal(refundMachine.can('fail', 'SUCCEEDED'), false);
  });
});
