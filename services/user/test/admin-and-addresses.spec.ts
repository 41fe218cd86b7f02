/**
 * The admin's changes and the address book against the real MySQL: what only row locks can keep
 * under concurrency (the address book's limit and its one default, adjustments never below zero,
 * one movement per request id), and the columns the rules write.
 */
import assert from 'node:assert/strict';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { authenticate, register, setBanned, type User } from '../src/domain/accounts';
import { ADDRESS_BOOK_MAX, deleteAddress, saveAddress, type Address } from '../src/domain/addresses';
import { adjustBalance, listAdjustments, recharge, reduceBalance } from '../src/domain/balance';
import { UserStore } from '../src/store/user-store';
import { userMigrations } from '../src/store/migrations';
import { freshDatabase } from '../../../common/test/support/infra';

const SCHEMA = 'shop_test_user_admin';

describe('user: adjustments, bans and the address book against the real MySQL', function () {
  this.timeout(60_000);
  const ids = new SnowflakeGenerator(907);
  let db: Sequelize;
  let store: UserStore;
  let adminId: string;

  const codeOf = (result: unknown) => (result instanceof DomainError ? result.code : 'OK');
  const customer = async (): Promise<User> => {
    const user = await register(store, ids, { username: `u${ids.next()}`, password: 'correct horse', role: 'CUSTOMER' });
    assert.ok(!(user instanceof DomainError));
    return user;
  };
  const rows = <T extends object>(sql: string, replacements: unknown[]) => db.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const balanceOf = async (userId: string) => (await rows<{ balance: string }>('SELECT balance FROM user WHERE id = ?', [userId]))[0]!.balance;
  const addressRows = (userId: string) =>
    rows<{ id: string; is_default: number; recipient: string }>('SELECT id, is_default, recipient FROM user_address WHERE user_id = ? ORDER BY id', [userId]);
  const address = { recipient: 'Wang Fang', phone: '13800138000', region: 'Zhejiang Hangzhou', line: '18 Wensan Road' };
  const save = (userId: string, change: Partial<Parameters<typeof saveAddress>[2]> = {}) =>
    saveAddress(store, ids, { userId, addressId: '', requestId: '', isDefault: false, ...address, ...change });

  before(async () => {
    db = await freshDatabase(SCHEMA, userMigrations);
    store = new UserStore(db);
    const admin = await register(store, ids, { username: `admin${ids.next()}`, password: 'correct horse', role: 'ADMIN' });
    assert.ok(!(admin instanceof DomainError));
    adminId = admin.userId;
  });

  after(async () => {
    await db?.close();
  });

  it('records an adjustment in user_money_log: positive amount, request id as ref, operator, reason, balance after', async () => {
    const user = await customer();
    await recharge(store, ids, { requestId: 'top-up', userId: user.userId, amount: '30.00' });
    const adjusted = await adjustBalance(store, ids, {
      requestId: 'adj-1',
      userId: user.userId,
      operatorId: adminId,
      amount: '-7.25',
      reason: 'damaged parcel',
    });
    assert.equal(codeOf(adjusted), 'OK');
    const log = await rows<{ type: string; ref: string; amount: string; operator_id: string | null; reason: string | null; balance_after: string }>(
      'SELECT type, ref, amount, operator_id, reason, balance_after FROM user_money_log WHERE user_id = ? ORDER BY id',
      [user.userId],
    );
    assert.deepEqual(log, [
      { type: 'RECHARGE', ref: 'top-up', amount: '30.00', operator_id: null, reason: null, balance_after: '30.00' },
      { type: 'ADJUST_TAKE', ref: 'adj-1', amount: '7.25', operator_id: adminId, reason: 'damaged parcel', balance_after: '22.75' },
    ]);
    const listed = await listAdjustments(store, user.userId);
    assert.ok(!(listed instanceof DomainError));
    assert.deepEqual(
      listed.map((line) => [line.amount, line.balanceAfter]),
      [
        ['-7.25', '22.75'],
        ['30.00', '30.00'],
      ],
    );
  });

  it('concurrent adjustments and orders never take the balance below zero; one request id moves once', async () => {
    const user = await customer();
    await recharge(store, ids, { requestId: '', userId: user.userId, amount: '100.00' });
    const takes = Array.from({ length: 12 }, (_, i) =>
      adjustBalance(store, ids, { requestId: `take-${i}`, userId: user.userId, operatorId: adminId, amount: '-9.00', reason: 'correction' }),
    );
    const orders = Array.from({ length: 6 }, () => reduceBalance(store, ids, { orderId: ids.next(), userId: user.userId, amount: '9.00' }));
    const repeats = Array.from({ length: 8 }, () =>
      adjustBalance(store, ids, { requestId: 'gift', userId: user.userId, operatorId: adminId, amount: '1.00', reason: 'gift' }),
    );
    const results = await Promise.all([...takes, ...orders, ...repeats]);
    for (const result of results) assert.ok([ErrorCode.INSUFFICIENT_BALANCE, 'OK'].includes(codeOf(result)), String(codeOf(result)));
    const moved = await rows<{ type: string; n: number; total: string }>(
      'SELECT type, COUNT(*) AS n, SUM(amount) AS total FROM user_money_log WHERE user_id = ? GROUP BY type ORDER BY type',
      [user.userId],
    );
    const byType = Object.fromEntries(moved.map((row) => [row.type, Number(row.n)]));
    assert.equal(byType.ADJUST_ADD, 1, 'the gift moved once');
    // 101.00 covers 11 takes of 9.00 in all, adjustments and orders together.
    assert.equal((byType.ADJUST_TAKE ?? 0) + (byType.REDUCE ?? 0), 11);
    assert.equal(await balanceOf(user.userId), '2.00');
  });

  it('bans and unbans in the user row and the ban log; the banned user cannot sign in', async () => {
    const user = await customer();
    assert.equal(codeOf(await setBanned(store, ids, { userId: user.userId, operatorId: adminId, banned: true, reason: 'chargeback fraud' })), 'OK');
    const [banned] = await rows<{ banned_at: Date | null; ban_reason: string | null; banned_by: string | null }>(
      'SELECT banned_at, ban_reason, banned_by FROM user WHERE id = ?',
      [user.userId],
    );
    assert.ok(banned!.banned_at instanceof Date);
    assert.deepEqual([banned!.ban_reason, banned!.banned_by], ['chargeback fraud', adminId]);
    assert.equal(codeOf(await authenticate(store, { username: user.username, password: 'correct horse' })), ErrorCode.USER_BANNED);
    assert.equal(codeOf(await setBanned(store, ids, { userId: adminId, operatorId: adminId, banned: true, reason: 'no' })), ErrorCode.USER_STATE);
    assert.equal(codeOf(await setBanned(store, ids, { userId: user.userId, operatorId: adminId, banned: false, reason: 'appeal accepted' })), 'OK');
    const [unbanned] = await rows<{ banned_at: Date | null; ban_reason: string | null }>('SELECT banned_at, ban_reason FROM user WHERE id = ?', [user.userId]);
    assert.deepEqual(unbanned, { banned_at: null, ban_reason: null });
    assert.equal(codeOf(await authenticate(store, { username: user.username, password: 'correct horse' })), 'OK');
    const log = await rows<{ banned: number; operator_id: string; reason: string | null }>(
      'SELECT banned, operator_id, reason FROM user_ban_log WHERE user_id = ? ORDER BY id',
      [user.userId],
    );
    assert.deepEqual(log, [
      { banned: 1, operator_id: adminId, reason: 'chargeback fraud' },
      { banned: 0, operator_id: adminId, reason: 'appeal accepted' },
    ]);
  });

  it(`${ADDRESS_BOOK_MAX + 10} parallel saves keep at most ${ADDRESS_BOOK_MAX} addresses and exactly one default`, async () => {
    const user = await customer();
    const results = await Promise.all(
      Array.from({ length: ADDRESS_BOOK_MAX + 10 }, (_, i) => save(user.userId, { recipient: `r${i}`, isDefault: i % 3 === 0 })),
    );
    const codes = results.map(codeOf);
    assert.equal(codes.filter((code) => code === 'OK').length, ADDRESS_BOOK_MAX);
    assert.equal(codes.filter((code) => code === ErrorCode.ADDRESS_BOOK_FULL).length, 10);
    const stored = await addressRows(user.userId);
    assert.equal(stored.length, ADDRESS_BOOK_MAX);
    assert.equal(stored.filter((row) => row.is_default === 1).length, 1);
  });

  it('parallel saves as the default, deletes and creations of one request id never leave two defaults, none, or a duplicate', async () => {
    const user = await customer();
    const first = await save(user.userId);
    assert.ok(!(first instanceof DomainError));
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) => save(user.userId, { recipient: `n${i}` })));
    const others = created.filter((result): result is Address => !(result instanceof DomainError));
    assert.equal(others.length, 8);
    await Promise.all([
      ...others.map((other) => save(user.userId, { addressId: other.addressId, isDefault: true })),
      deleteAddress(store, { userId: user.userId, addressId: first.addressId }),
      deleteAddress(store, { userId: user.userId, addressId: others[0]!.addressId }),
      ...Array.from({ length: 6 }, () => save(user.userId, { requestId: 'one-creation', recipient: 'once' })),
    ]);
    const stored = await addressRows(user.userId);
    assert.equal(stored.filter((row) => row.is_default === 1).length, 1, JSON.stringify(stored));
    assert.equal(stored.filter((row) => row.recipient === 'once').length, 1);
    assert.equal(stored.length, 1 + 8 - 2 + 1);
  });

  it('deleting the default makes the newest remaining address the default, in the table', async () => {
    const user = await customer();
    const saved = [];
    for (let i = 0; i < 3; i++) saved.push(await save(user.userId, { recipient: `a${i}` }));
    const [oldest, middle, newest] = saved.map((result) => {
      assert.ok(!(result instanceof DomainError));
      return result.addressId;
    });
    assert.deepEqual(
      (await addressRows(user.userId)).map((row) => row.is_default),
      [1, 0, 0],
    );
    await deleteAddress(store, { userId: user.userId, addressId: oldest! });
    assert.deepEqual(
      (await addressRows(user.userId)).map((row) => [row.id, row.is_default]),
      [
        [middle, 0],
        [newest, 1],
      ],
    );
  });
});
