import assert from 'node:assert/strict';
import { DomainError } from '@shop/common/errors';
import { computeAmounts } from '../../src/domain/amounts';

const rules = { freeShippingThreshold: '100.00', shippingFee: '10.00' };

describe('order amounts', () => {
  it('adds shipping below the threshold and none from it on', () => {
    assert.deepEqual(computeAmounts([{ price: '33.33', quantity: 3 }], undefined, '0', rules), {
      goodsAmount: '99.99',
      shippingFee: '10.00',
      couponPaid: '0.00',
      balancePaid: '0.00',
      payAmount: '109.99',
    });
    assert.equal((computeAmounts([{ price: '50.00', quantity: 2 }], undefined, '0', rules) as { shippingFee: string }).shippingFee, '0.00');
  });

  it('caps the coupon at what is due and lets the balance pay the rest exactly', () => {
    assert.deepEqual(computeAmounts([{ price: '0.10', quantity: 3 }], '50.00', '0', rules), {
      goodsAmount: '0.30',
      shippingFee: '10.00',
      couponPaid: '10.30',
      balancePaid: '0.00',
      payAmount: '0.00',
    });
    assert.deepEqual(
      computeAmounts(
        [
          { price: '19.90', quantity: 2 },
          { price: '0.01', quantity: 999 },
        ],
        '5.00',
        '40.00',
        rules,
      ),
      {
        goodsAmount: '49.79',
        shippingFee: '10.00',
        couponPaid: '5.00',
        balancePaid: '40.00',
        payAmount: '14.79',
      },
    );
  });

  it('refuses more balance than is left to pay, and malformed balances', () => {
    assert.ok(computeAmounts([{ price: '10.00', quantity: 1 }], '5.00', '15.01', rules) instanceof DomainError);
    for (const bad of ['-1', '1e2', 'abc', '0.001'])
      assert.ok(computeAmounts([{ price: '10.00', quantity: 1 }], undefined, bad, rules) instanceof DomainError, bad);
  });
});
