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

  it('a refund ends once, SUCCEEDED or FAILED', () => {
    assert.deepEqual(refundMachine.final().sort(), ['FAILED', 'SUCCEEDED']);
    assert.equal(refundMachine.can('succeed', 'FAILED'), false);
    assert.equal(refundMachine.can('fail', 'SUCCEEDED'), false);
  });
});
