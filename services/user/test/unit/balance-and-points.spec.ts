/** The balance and points rules of the user domain, against an in-memory port. */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { recharge, reduceBalance, refundBalance } from '../../src/domain/balance';
import { addPoints, deductPoints } from '../../src/domain/points';
import { MemoryUsers } from './fakes/memory-users';

const ids = new SnowflakeGenerator(11);

const codeOf = (result: unknown) => (result instanceof DomainError ? result.code : 'no error');
const balanceOf = async (users: MemoryUsers, userId: string) => (await users.findUser(userId))!.balance;
const pointsOf = async (users: MemoryUsers, userId: string) => (await users.findUser(userId))!.points;

/** A user with this balance and these points, and an order id of theirs. */
function aUser(start: { balance?: string; points?: string }) {
  const users = new MemoryUsers();
  const userId = ids.next();
  users.seed({ id: userId, ...start });
  return { users, userId, orderId: ids.next() };
}

describe('balance (unit)', () => {
  it('refuses a reservation the balance does not cover, leaving nothing behind; the same order may try again', async () => {
    const { users, userId, orderId } = aUser({ balance: '10.00' });
    assert.equal(codeOf(await reduceBalance(users, ids, { orderId, userId, amount: '10.01' })), ErrorCode.INSUFFICIENT_BALANCE);
    assert.equal(await balanceOf(users, userId), '10.00');
    assert.deepEqual(users.moneyLog(orderId), []);
    // The refusal rolled back the order's ledger row too: it is not a repeat, nor a tombstone.
    await recharge(users, ids, { requestId: 'top-up', userId, amount: '0.01' });
    assert.deepEqual(await reduceBalance(users, ids, { orderId, userId, amount: '10.01' }), { applied: true, balance: '0.00' });
  });

  it('takes for an order once, and its release gives it back once', async () => {
    const { users, userId, orderId } = aUser({ balance: '30.00' });
    assert.deepEqual(await reduceBalance(users, ids, { orderId, userId, amount: '12.34' }), { applied: true, balance: '17.66' });
    assert.deepEqual(await reduceBalance(users, ids, { orderId, userId, amount: '12.34' }), { applied: false, balance: '17.66' });
    const release = { orderId, userId, refundId: '', amount: '' };
    assert.deepEqual(await refundBalance(users, ids, release), { applied: true, balance: '30.00' });
    assert.deepEqual(await refundBalance(users, ids, release), { applied: false, balance: '30.00' });
  });

  it('refuses a reservation that comes after the order was released', async () => {
    const { users, userId, orderId } = aUser({ balance: '30.00' });
    assert.deepEqual(await refundBalance(users, ids, { orderId, userId, refundId: '', amount: '' }), { applied: false, balance: '30.00' });
    assert.equal(codeOf(await reduceBalance(users, ids, { orderId, userId, amount: '5.00' })), ErrorCode.RELEASED);
    assert.equal(await balanceOf(users, userId), '30.00');
  });

  it('refunds never more in all than the order took, once per refund id', async () => {
    const { users, userId, orderId } = aUser({ balance: '20.00' });
    await reduceBalance(users, ids, { orderId, userId, amount: '20.00' });
    assert.deepEqual(await refundBalance(users, ids, { orderId, userId, refundId: 'r1', amount: '15.00' }), { applied: true, balance: '15.00' });
    assert.deepEqual(await refundBalance(users, ids, { orderId, userId, refundId: 'r1', amount: '15.00' }), { applied: false, balance: '15.00' });
    assert.equal(codeOf(await refundBalance(users, ids, { orderId, userId, refundId: 'r2', amount: '5.01' })), ErrorCode.INVALID_ARGUMENT);
    assert.equal(await balanceOf(users, userId), '15.00');
    // The release gives back only what no refund gave back.
    assert.deepEqual(await refundBalance(users, ids, { orderId, userId, refundId: '', amount: '' }), { applied: true, balance: '20.00' });
  });
});

describe('points (unit)', () => {
  it('refuses to take back points of an order whose points were not added yet', async () => {
    const { users, userId } = aUser({ points: '50' });
    assert.equal(codeOf(await deductPoints(users, ids, { refundId: 'r1', orderId: ids.next(), userId, points: '10' })), ErrorCode.ORDER_STATE);
    assert.equal(await pointsOf(users, userId), '50');
  });

  it('takes back never more than the order added, once per refund id, keeping the points of other orders', async () => {
    const { users, userId, orderId } = aUser({ points: '1000' });
    assert.deepEqual(await addPoints(users, ids, { orderId, userId, points: '100' }), { applied: true, points: '1100' });
    assert.deepEqual(await addPoints(users, ids, { orderId, userId, points: '100' }), { applied: false, points: '1100' });
    assert.deepEqual(await deductPoints(users, ids, { refundId: 'r1', orderId, userId, points: '70' }), { applied: true, points: '1030' });
    assert.deepEqual(await deductPoints(users, ids, { refundId: 'r1', orderId, userId, points: '70' }), { applied: false, points: '1030' });
    // Only the 30 the order still has are taken back; the user's other points stay.
    assert.deepEqual(await deductPoints(users, ids, { refundId: 'r2', orderId, userId, points: '70' }), { applied: true, points: '1000' });
    assert.deepEqual(await deductPoints(users, ids, { refundId: 'r3', orderId, userId, points: '1' }), { applied: true, points: '1000' });
  });
});
