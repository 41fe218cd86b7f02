import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { authenticate, register, type User } from '../src/domain/accounts';
import { recharge, reduceBalance, refundBalance } from '../src/domain/balance';
import { addPoints, deductPoints } from '../src/domain/points';
import { UserStore } from '../src/store/user-store';
import { userMigrations } from '../src/store/migrations';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_user';

describe('user: accounts, balance and points against the real MySQL', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(906);
  let db: Sequelize;
  let store: UserStore;

  const account = async (balance = '100.00'): Promise<User> => {
    const user = await register(store, ids, { username: `u${ids.next()}`, password: 'correct horse', role: 'CUSTOMER' });
    assert.ok(!(user instanceof DomainError));
    if (balance !== '0.00') await recharge(store, ids, { requestId: '', userId: user.userId, amount: balance });
    return user;
  };
  const stateOf = async (userId: string) =>
    (
      await db.query<{ balance: string; points: string }>('SELECT balance, points FROM user WHERE id = ?', { replacements: [userId], type: QueryTypes.SELECT })
    )[0]!;
  const codeOf = (result: unknown) => (result instanceof DomainError ? result.code : 'OK');

  before(async () => {
    db = await freshDatabase(SCHEMA, userMigrations);
    store = new UserStore(db);
  });

  after(async () => {
    await db?.close();
  });

  it('stores passwords hashed and authenticates only the right password', async () => {
    const username = `alice${ids.next()}`;
    const user = await register(store, ids, { username, password: 'secret-pass', role: 'CUSTOMER' });
    assert.ok(!(user instanceof DomainError));
    const [stored] = await db.query<{ password_hash: string }>('SELECT password_hash FROM user WHERE id = ?', {
      replacements: [user.userId],
      type: QueryTypes.SELECT,
    });
    assert.match(stored!.password_hash, /^scrypt\$/);
    assert.ok(!stored!.password_hash.includes('secret-pass'));
    assert.equal(codeOf(await authenticate(store, { username, password: 'secret-pass' })), 'OK');
    assert.equal(codeOf(await authenticate(store, { username, password: 'secret-pasS' })), ErrorCode.UNAUTHENTICATED);
    assert.equal(codeOf(await authenticate(store, { username: 'nobody-here', password: 'secret-pass' })), ErrorCode.UNAUTHENTICATED);
    assert.equal(codeOf(await register(store, ids, { username, password: 'another-pass', role: 'CUSTOMER' })), ErrorCode.ALREADY_EXISTS);
  });

  it('takes balance for an order once; a shortfall takes nothing', async () => {
    const user = await account('50.00');
    const orderId = ids.next();
    assert.deepEqual(await reduceBalance(store, ids, { orderId, userId: user.userId, amount: '30.00' }), { applied: true, balance: '20.00' });
    assert.deepEqual(await reduceBalance(store, ids, { orderId, userId: user.userId, amount: '30.00' }), { applied: false, balance: '20.00' });
    assert.equal(codeOf(await reduceBalance(store, ids, { orderId: ids.next(), userId: user.userId, amount: '20.01' })), ErrorCode.INSUFFICIENT_BALANCE);
    assert.equal((await stateOf(user.userId)).balance, '20.00');
  });

  it('takes a balance to the cent in amounts a float cannot add exactly (0.10 + 0.20 of 0.30)', async () => {
    const user = await account('0.30');
    for (const amount of ['0.10', '0.20']) assert.equal(codeOf(await reduceBalance(store, ids, { orderId: ids.next(), userId: user.userId, amount })), 'OK');
    assert.equal((await stateOf(user.userId)).balance, '0.00');
  });

  it('concurrent orders of one user never drive the balance negative', async () => {
    const user = await account('100.00');
    const results = await Promise.all(
      Array.from({ length: 30 }, () => reduceBalance(store, ids, { orderId: ids.next(), userId: user.userId, amount: '7.00' })),
    );
    const applied = results.filter((result) => !(result instanceof DomainError)).length;
    assert.equal(applied, 14);
    assert.equal((await stateOf(user.userId)).balance, '2.00');
  });

  it('releases what the order took, once; a release before the reservation refuses it later', async () => {
    const user = await account('40.00');
    const orderId = ids.next();
    await reduceBalance(store, ids, { orderId, userId: user.userId, amount: '15.50' });
    const release = () => refundBalance(store, ids, { orderId, userId: user.userId, refundId: '', amount: '' });
    assert.deepEqual(await release(), { applied: true, balance: '40.00' });
    assert.deepEqual(await release(), { applied: false, balance: '40.00' });

    const late = ids.next();
    assert.deepEqual(await refundBalance(store, ids, { orderId: late, userId: user.userId, refundId: '', amount: '' }), { applied: false, balance: '40.00' });
    assert.equal(codeOf(await reduceBalance(store, ids, { orderId: late, userId: user.userId, amount: '10.00' })), ErrorCode.RELEASED);
    assert.equal((await stateOf(user.userId)).balance, '40.00');
  });

  it('refunds part of an order once per refund id, never more than it took', async () => {
    const user = await account('40.00');
    const orderId = ids.next();
    await reduceBalance(store, ids, { orderId, userId: user.userId, amount: '30.00' });
    const refund = (refundId: string, amount: string) => refundBalance(store, ids, { orderId, userId: user.userId, refundId, amount });
    assert.deepEqual(await refund('r1', '10.00'), { applied: true, balance: '20.00' });
    assert.deepEqual(await refund('r1', '10.00'), { applied: false, balance: '20.00' });
    assert.equal(codeOf(await refund('r2', '20.01')), ErrorCode.INVALID_ARGUMENT);
    assert.deepEqual(await refund('r3', '20.00'), { applied: true, balance: '40.00' });
    assert.equal((await stateOf(user.userId)).balance, '40.00');
  });

  it('adds points once per order and takes them back once per refund', async () => {
    const user = await account('0.00');
    const orderId = ids.next();
    assert.deepEqual(await addPoints(store, ids, { orderId, userId: user.userId, points: '120' }), { applied: true, points: '120' });
    assert.deepEqual(await addPoints(store, ids, { orderId, userId: user.userId, points: '120' }), { applied: false, points: '120' });
    assert.deepEqual(await deductPoints(store, ids, { refundId: 'r9', orderId, userId: user.userId, points: '20' }), { applied: true, points: '100' });
    assert.deepEqual(await deductPoints(store, ids, { refundId: 'r9', orderId, userId: user.userId, points: '20' }), { applied: false, points: '100' });
    assert.equal((await stateOf(user.userId)).points, '100');
  });

  it('refuses bad amounts and ids without writing anything', async () => {
    const user = await account('10.00');
    for (const amount of ['0', '-1', '1e3', 'abc', '1.234', '']) {
      assert.equal(codeOf(await reduceBalance(store, ids, { orderId: ids.next(), userId: user.userId, amount })), ErrorCode.INVALID_ARGUMENT, amount);
      assert.equal(codeOf(await recharge(store, ids, { requestId: '', userId: user.userId, amount })), ErrorCode.INVALID_ARGUMENT, amount);
    }
    assert.equal(codeOf(await reduceBalance(store, ids, { orderId: 'x', userId: user.userId, amount: '1.00' })), ErrorCode.INVALID_ARGUMENT);
    assert.equal((await stateOf(user.userId)).balance, '10.00');
    const [logs] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM user_money_log WHERE user_id = ?', {
      replacements: [user.userId],
      type: QueryTypes.SELECT,
    });
    assert.equal(Number(logs!.n), 1);
  });
});
