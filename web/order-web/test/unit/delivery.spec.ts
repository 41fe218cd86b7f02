/** An order's consignee and address from an address book entry, within the order's columns. */
import assert from 'node:assert/strict';
import { CONSIGNEE_MAX, deliveryOf } from '../../src/routes/addresses.routes';

describe('delivery from the address book (unit)', () => {
  const entry = { recipient: 'Wang Fang', phone: '+86 138-0013-8000', region: 'Zhejiang, Hangzhou, Xihu', line: '18 Wensan Road, 3-201' };

  it('is "<recipient> <phone>" and "<region> <line>" as written when they fit', () => {
    assert.deepEqual(deliveryOf(entry), { consignee: 'Wang Fang +86 138-0013-8000', address: 'Zhejiang, Hangzhou, Xihu 18 Wensan Road, 3-201' });
  });

  it('writes the phone compactly, then cuts the name (never the phone), to keep the consignee within 50', () => {
    const compact = deliveryOf({ ...entry, recipient: 'R'.repeat(30), phone: '+86 138 0013 8000 12' });
    assert.equal(compact.consignee, `${'R'.repeat(30)} +861380013800012`);
    const longest = deliveryOf({ ...entry, recipient: 'x'.repeat(32), phone: '1'.repeat(21) });
    assert.equal(longest.consignee, `${'x'.repeat(27)}… ${'1'.repeat(21)}`);
    assert.equal(longest.consignee.length, CONSIGNEE_MAX);
    // A name of characters beyond the BMP is cut between them, never inside one.
    const emoji = deliveryOf({ ...entry, recipient: '😀'.repeat(32), phone: '1'.repeat(21) });
    assert.ok(emoji.consignee.length <= CONSIGNEE_MAX);
    assert.match(emoji.consignee, /^(😀)+… 1{21}$/u);
  });
});
