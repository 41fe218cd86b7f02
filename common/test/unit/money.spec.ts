import assert from 'node:assert/strict';
import { formatCents, normaliseAmount, parseCents } from '../../src/money';

describe('money', () => {
  it('parses two-place decimal strings into exact cents', () => {
    assert.equal(parseCents('19.90'), 1990n);
    assert.equal(parseCents('19.9'), 1990n);
    assert.equal(parseCents('0.01'), 1n);
    assert.equal(parseCents('20'), 2000n);
    assert.equal(parseCents('999999999999.99'), 99999999999999n);
  });

  it('refuses signs, exponents, spaces, extra decimals and overlong amounts', () => {
    for (const bad of ['-1', '+1', '1e3', ' 1', '1.234', '01', '', '.5', '1.', 'NaN', 'Infinity', '1000000000000']) {
      assert.equal(parseCents(bad), undefined, bad);
    }
  });

  it('formats cents back with two places, without float drift', () => {
    assert.equal(formatCents(parseCents('0.1')! + parseCents('0.2')!), '0.30');
    assert.equal(formatCents(-5n), '-0.05');
    assert.equal(normaliseAmount('5'), '5.00');
  });
});
