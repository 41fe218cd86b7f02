import assert from 'node:assert/strict';
import { stateMachine } from '../../src/state';

describe('status machines as data', () => {
  const machine = stateMachine(['NEW', 'OPEN', 'DONE'] as const, {
    open: { from: ['NEW'], to: 'OPEN' },
    finish: { from: ['NEW', 'OPEN'], to: 'DONE' },
  });

  it('say which moves start where, and which statuses no move leaves', () => {
    assert.equal(machine.can('open', 'NEW'), true);
    assert.equal(machine.can('open', 'OPEN'), false);
    assert.equal(machine.can('finish', undefined), false);
    assert.deepEqual(machine.movesFrom('NEW'), ['open', 'finish']);
    assert.deepEqual(machine.final(), ['DONE']);
  });

  it('refuse a table that names a status it does not have', () => {
    assert.throws(() => stateMachine(['A', 'B'] as string[], { go: { from: ['A'], to: 'C' } }), /move go: unknown status C/);
  });
});
