import assert from 'node:assert/strict';
import { SoldOutHints } from '../../src/domain/sold-out';

describe('goods: sold-out hints (unit)', () => {
  const line = (goodsId: string, quantity: number) => ({ goodsId, quantity });
  let clock: number;
  let hints: SoldOutHints;
  beforeEach(() => {
    clock = 1_000_000;
    hints = new SoldOutHints(1_000, () => clock);
  });

  it('refuses lines asking at least the units found missing, and no others', () => {
    hints.noteShort('7', 3);
    assert.deepEqual(hints.shortLine([line('5', 9), line('7', 3)]), line('7', 3));
    assert.deepEqual(hints.shortLine([line('7', 4)]), line('7', 4));
    assert.equal(hints.shortLine([line('7', 2)]), undefined, 'two units may still be there');
    hints.noteShort('7', 1);
    assert.deepEqual(hints.shortLine([line('7', 1)]), line('7', 1), 'the smallest shortage seen counts');
  });

  it('ends by itself after its time, and at once when stock comes back', () => {
    hints.noteShort('7', 1);
    clock += 999;
    assert.ok(hints.shortLine([line('7', 1)]));
    clock += 1;
    assert.equal(hints.shortLine([line('7', 1)]), undefined);
    hints.noteShort('8', 1);
    hints.forget('8');
    assert.equal(hints.shortLine([line('8', 5)]), undefined);
  });

  it('a shortage seen after the hint ended starts afresh with its own quantity', () => {
    hints.noteShort('7', 1);
    clock += 2_000;
    hints.noteShort('7', 5);
    assert.equal(hints.shortLine([line('7', 1)]), undefined);
    assert.ok(hints.shortLine([line('7', 5)]));
  });
});
