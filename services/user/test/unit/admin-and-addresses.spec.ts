/** The admin's rules (adjustments, bans, the list of users) and the address book, against an in-memory port. */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { authenticate, getUser, listUsers, register, setBanned, type User } from '../../src/domain/accounts';
import { ADDRESS_BOOK_MAX, deleteAddress, getAddress, listAddresses, saveAddress, type Address } from '../../src/domain/addresses';
import { adjustBalance, listAdjustments, recharge } from '../../src/domain/balance';
import { MemoryUsers } from './fakes/memory-users';

const ids = new SnowflakeGenerator(12);

const codeOf = (result: unknown) => (result instanceof DomainError ? result.code : 'no error');
function ok<T>(result: T | DomainError): T {
  if (result instanceof DomainError) assert.fail(`${result.code}: ${result.message}`);
  return result;
}

/** A customer with this balance, and an admin to act on them. */
function aShop(balance = '0.00') {
  const users = new MemoryUsers();
  const userId = ids.next();
  const adminId = ids.next();
  users.seed({ id: userId, balance });
  users.seed({ id: adminId, role: 'ADMIN' });
  return { users, userId, adminId };
}

describe('balance adjustments (unit)', () => {
  it('adds and takes with a reason, each a positive log row that names the operator, the reason and the balance it left', async () => {
    const { users, userId, adminId } = aShop('10.00');
    const adjust = (requestId: string, amount: string, reason: string) => adjustBalance(users, ids, { requestId, userId, operatorId: adminId, amount, reason });
    assert.equal(ok(await adjust('k1', '50.00', 'goodwill')).balance, '60.00');
    assert.equal(ok(await adjust('k2', '-12.5', '  wrong top-up  ')).balance, '47.50');
    const log = users.moneyLogOfUser(userId).map(({ type, ref, amount, operator_id, reason, balance_after }) => ({
      type,
      ref,
      amount,
      operator_id,
      reason,
      balance_after,
    }));
    assert.deepEqual(log, [
      { type: 'ADJUST_ADD', ref: 'k1', amount: '50.00', operator_id: adminId, reason: 'goodwill', balance_after: '60.00' },
      { type: 'ADJUST_TAKE', ref: 'k2', amount: '12.50', operator_id: adminId, reason: 'wrong top-up', balance_after: '47.50' },
    ]);
    const listed = ok(await listAdjustments(users, userId)).map(({ amount, reason, operatorId, balanceAfter }) => ({
      amount,
      reason,
      operatorId,
      balanceAfter,
    }));
    assert.deepEqual(listed, [
      { amount: '-12.50', reason: 'wrong top-up', operatorId: adminId, balanceAfter: '47.50' },
      { amount: '50.00', reason: 'goodwill', operatorId: adminId, balanceAfter: '60.00' },
    ]);
  });

  it('moves once per request id; the same id with another amount, sign or reason is refused', async () => {
    const { users, userId, adminId } = aShop('10.00');
    const adjust = (amount: string, reason = 'compensation') =>
      adjustBalance(users, ids, { requestId: 'same-key', userId, operatorId: adminId, amount, reason });
    assert.equal(ok(await adjust('5.00')).balance, '15.00');
    assert.equal(ok(await adjust('5.00')).balance, '15.00');
    assert.equal(ok(await adjust('5')).balance, '15.00', 'the same amount written otherwise is the same request');
    assert.equal(codeOf(await adjust('6.00')), ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assert.equal(codeOf(await adjust('-5.00')), ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assert.equal(codeOf(await adjust('5.00', 'another reason')), ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assert.equal(users.moneyLogOfUser(userId).length, 1);
    assert.equal((await users.findUser(userId))!.balance, '15.00');
  });

  it('never takes the balance below zero: refused, nothing changed, and the request id stays free', async () => {
    const { users, userId, adminId } = aShop('10.00');
    const take = (amount: string) => adjustBalance(users, ids, { requestId: 'take', userId, operatorId: adminId, amount, reason: 'chargeback' });
    assert.equal(codeOf(await take('-10.01')), ErrorCode.INSUFFICIENT_BALANCE);
    assert.equal((await users.findUser(userId))!.balance, '10.00');
    assert.deepEqual(users.moneyLogOfUser(userId), []);
    assert.equal(ok(await take('-10.00')).balance, '0.00');
  });

  it('refuses bad amounts, reasons, request ids and users without writing anything', async () => {
    const { users, userId, adminId } = aShop('10.00');
    const base = { requestId: 'k', userId, operatorId: adminId, amount: '1.00', reason: 'why' };
    for (const amount of ['0', '0.00', '-0', '1.234', '--1', '+1', '1e3', '', ' 1', '-', '1,00', '1000000000000.00']) {
      assert.equal(codeOf(await adjustBalance(users, ids, { ...base, amount })), ErrorCode.INVALID_ARGUMENT, amount);
    }
    for (const reason of ['', '   ', 'x'.repeat(201)]) assert.equal(codeOf(await adjustBalance(users, ids, { ...base, reason })), ErrorCode.INVALID_ARGUMENT);
    assert.equal(codeOf(await adjustBalance(users, ids, { ...base, reason: '理'.repeat(200) })), 'no error', '200 characters, whatever their bytes');
    for (const requestId of ['', 'a b', 'x'.repeat(65)])
      assert.equal(codeOf(await adjustBalance(users, ids, { ...base, requestId })), ErrorCode.INVALID_ARGUMENT);
    assert.equal(codeOf(await adjustBalance(users, ids, { ...base, requestId: 'other', operatorId: '' })), ErrorCode.INVALID_ARGUMENT);
    assert.equal(codeOf(await adjustBalance(users, ids, { ...base, requestId: 'other', userId: ids.next() })), ErrorCode.NOT_FOUND);
    assert.equal(users.moneyLogOfUser(userId).length, 1);
  });

  it('lists recharges beside adjustments, with the balance each left', async () => {
    const { users, userId, adminId } = aShop();
    ok(await recharge(users, ids, { requestId: 'r1', userId, amount: '20.00' }));
    ok(await adjustBalance(users, ids, { requestId: 'a1', userId, operatorId: adminId, amount: '-5.00', reason: 'fee' }));
    assert.deepEqual(
      ok(await listAdjustments(users, userId)).map(({ amount, reason, operatorId, balanceAfter }) => [amount, reason, operatorId, balanceAfter]),
      [
        ['-5.00', 'fee', adminId, '15.00'],
        ['20.00', '', '', '20.00'],
      ],
    );
    assert.equal(codeOf(await listAdjustments(users, ids.next())), ErrorCode.NOT_FOUND);
  });
});

describe('bans (unit)', () => {
  async function aCustomer(users: MemoryUsers): Promise<User> {
    return ok(await register(users, ids, { username: `c${ids.next()}`, password: 'password-123', role: 'CUSTOMER' }));
  }

  it('a banned user cannot sign in (after the right password only); unbanned, they can; each change is logged', async () => {
    const { users, adminId } = aShop();
    const customer = await aCustomer(users);
    const signIn = (password: string) => authenticate(users, { username: customer.username, password });
    assert.equal(codeOf(await setBanned(users, ids, { userId: customer.userId, operatorId: adminId, banned: true, reason: '  ' })), ErrorCode.INVALID_ARGUMENT);
    const banned = ok(await setBanned(users, ids, { userId: customer.userId, operatorId: adminId, banned: true, reason: ' fraud ' }));
    assert.deepEqual([banned.banned, banned.banReason], [true, 'fraud']);
    assert.equal(codeOf(await signIn('password-123')), ErrorCode.USER_BANNED);
    assert.equal(codeOf(await signIn('wrong-password')), ErrorCode.UNAUTHENTICATED, 'the ban is not told without the password');
    assert.equal(ok(await getUser(users, customer.userId)).banned, true);
    const unbanned = ok(await setBanned(users, ids, { userId: customer.userId, operatorId: adminId, banned: false, reason: '' }));
    assert.deepEqual([unbanned.banned, unbanned.banReason], [false, '']);
    assert.equal(codeOf(await signIn('password-123')), 'no error');
    assert.deepEqual(
      users.banLog(customer.userId).map(({ banned, operator_id, reason }) => [banned, operator_id, reason]),
      [
        [true, adminId, 'fraud'],
        [false, adminId, null],
      ],
    );
  });

  it('a repeat changes nothing; admins cannot be banned; unknown users are not found', async () => {
    const { users, adminId } = aShop();
    const customer = await aCustomer(users);
    const ban = (userId: string, reason = 'spam') => setBanned(users, ids, { userId, operatorId: adminId, banned: true, reason });
    ok(await ban(customer.userId));
    assert.equal(ok(await ban(customer.userId, 'another reason')).banReason, 'spam');
    assert.equal(users.banLog(customer.userId).length, 1);
    assert.equal(codeOf(await ban(adminId)), ErrorCode.USER_STATE);
    assert.equal(ok(await getUser(users, adminId)).banned, false);
    assert.equal(codeOf(await ban(ids.next())), ErrorCode.NOT_FOUND);
    assert.equal(codeOf(await ban(customer.userId, 'x'.repeat(201))), ErrorCode.INVALID_ARGUMENT);
  });
});

describe('list of users (unit)', () => {
  it('pages newest first, searches the username, counts the matches, refuses pages out of range', async () => {
    const users = new MemoryUsers();
    const seeded = Array.from({ length: 5 }, (_, index) => {
      const id = ids.next();
      users.seed({ id, username: index % 2 === 0 ? `alice${index}` : `bob${index}` });
      return id;
    });
    const all = ok(await listUsers(users, { page: 0, size: 0, query: '' }));
    assert.deepEqual(
      all.items.map((user) => user.userId),
      [...seeded].reverse(),
    );
    const alices = ok(await listUsers(users, { page: 1, size: 2, query: ' alice ' }));
    assert.deepEqual([alices.items.map((user) => user.username), alices.total], [['alice4', 'alice2'], 3]);
    assert.deepEqual(
      ok(await listUsers(users, { page: 2, size: 2, query: 'alice' })).items.map((user) => user.username),
      ['alice0'],
    );
    for (const bad of [{ page: 10_001 }, { page: -1 }, { size: 101 }, { page: 1.5 }, { query: 'x'.repeat(33) }]) {
      assert.equal(codeOf(await listUsers(users, { page: 1, size: 20, query: '', ...bad })), ErrorCode.INVALID_ARGUMENT, JSON.stringify(bad));
    }
  });
});

describe('address book (unit)', () => {
  const fields = { recipient: 'Wang Fang', phone: '+86 138-0013-8000', region: 'Zhejiang, Hangzhou, Xihu', line: '18 Wensan Road, 3-201' };

  function aBook() {
    const users = new MemoryUsers();
    const userId = ids.next();
    users.seed({ id: userId });
    const save = async (change: Partial<Parameters<typeof saveAddress>[2]> = {}) =>
      saveAddress(users, ids, { userId, addressId: '', requestId: '', isDefault: false, ...fields, ...change });
    const defaults = async () => ok(await listAddresses(users, userId)).filter((address) => address.isDefault);
    return { users, userId, save, defaults };
  }

  it('makes the first address the default; saving another as the default moves it; false never takes it away', async () => {
    const { users, userId, save, defaults } = aBook();
    const first = ok(await save());
    assert.equal(first.isDefault, true);
    const second = ok(await save({ recipient: 'Li Lei' }));
    assert.equal(second.isDefault, false);
    const third = ok(await save({ isDefault: true }));
    assert.deepEqual(
      (await defaults()).map((address) => address.addressId),
      [third.addressId],
    );
    ok(await save({ addressId: second.addressId, isDefault: true, line: '1 New Street' }));
    assert.deepEqual(
      (await defaults()).map((address: Address) => [address.addressId, address.line]),
      [[second.addressId, '1 New Street']],
    );
    const kept = ok(await save({ addressId: second.addressId, isDefault: false, line: '2 New Street' }));
    assert.deepEqual([kept.isDefault, kept.line], [true, '2 New Street']);
    // The list: the default first, then newest first.
    assert.deepEqual(
      ok(await listAddresses(users, userId)).map((address) => address.addressId),
      [second.addressId, third.addressId, first.addressId],
    );
  });

  it(`holds at most ${ADDRESS_BOOK_MAX} addresses; a repeated creation returns the address it created and takes no room`, async () => {
    const { users, userId, save } = aBook();
    const created = ok(await save({ requestId: 'create-1' }));
    assert.equal(ok(await save({ requestId: 'create-1', recipient: 'Someone Else' })).addressId, created.addressId);
    for (let i = 1; i < ADDRESS_BOOK_MAX; i++) ok(await save());
    assert.equal(codeOf(await save()), ErrorCode.ADDRESS_BOOK_FULL);
    assert.equal(ok(await save({ requestId: 'create-1' })).addressId, created.addressId, 'a repeat still answers when the book is full');
    assert.equal(ok(await listAddresses(users, userId)).length, ADDRESS_BOOK_MAX);
  });

  it('deleting the default makes the newest remaining one the default; a repeat deletes nothing', async () => {
    const { users, userId, save, defaults } = aBook();
    const first = ok(await save());
    const second = ok(await save());
    const third = ok(await save());
    ok(await save({ addressId: second.addressId, isDefault: true }));
    assert.deepEqual(ok(await deleteAddress(users, { userId, addressId: second.addressId })), { deleted: true });
    assert.deepEqual(
      (await defaults()).map((address) => address.addressId),
      [third.addressId],
    );
    assert.deepEqual(ok(await deleteAddress(users, { userId, addressId: second.addressId })), { deleted: false });
    ok(await deleteAddress(users, { userId, addressId: third.addressId }));
    assert.deepEqual(
      (await defaults()).map((address) => address.addressId),
      [first.addressId],
    );
    ok(await deleteAddress(users, { userId, addressId: first.addressId }));
    assert.deepEqual(ok(await listAddresses(users, userId)), []);
    assert.equal(ok(await save()).isDefault, true, 'the first address of an emptied book is the default again');
  });

  it('answers the address as saved even when a delete of the same request follows its commit at once', async () => {
    const { users, userId, save } = aBook();
    // The user's other request (a delete) runs right after the save commits, before it answers:
    // read after the commit, the save found nothing and failed with a TypeError (a 500).
    const commit = users.transaction.bind(users);
    let deleted = false;
    users.transaction = async (work) => {
      const result = await commit(work);
      const saved = (await users.listAddresses(userId))[0];
      if (saved && !deleted) {
        deleted = true;
        ok(await deleteAddress(users, { userId, addressId: saved.id }));
      }
      return result;
    };
    const answer = ok(await save());
    assert.equal(deleted, true, 'the delete ran between the commit and the answer');
    assert.deepEqual([answer.recipient, answer.isDefault], [fields.recipient, true]);
    assert.deepEqual(ok(await listAddresses(users, userId)), [], 'and the address is gone, as the delete said');
  });

  it("another user's address is not found: not read, not changed, not deleted", async () => {
    const { users, userId, save } = aBook();
    const mine = ok(await save());
    const stranger = ids.next();
    users.seed({ id: stranger });
    assert.equal(codeOf(await getAddress(users, { userId: stranger, addressId: mine.addressId })), ErrorCode.NOT_FOUND);
    assert.equal(
      codeOf(await saveAddress(users, ids, { userId: stranger, addressId: mine.addressId, requestId: '', isDefault: true, ...fields, line: 'taken over' })),
      ErrorCode.NOT_FOUND,
    );
    assert.deepEqual(ok(await deleteAddress(users, { userId: stranger, addressId: mine.addressId })), { deleted: false });
    assert.deepEqual(ok(await getAddress(users, { userId, addressId: mine.addressId })), mine);
  });

  it('checks every field, trimmed, and keeps "<region> <line>" within an order address', async () => {
    const { save } = aBook();
    const refused = [
      { recipient: '' },
      { recipient: 'x'.repeat(33) },
      { recipient: 'Tab\there' },
      { phone: '12345' },
      { phone: '+' },
      { phone: '++8613800138000' },
      { phone: '-13800138000' },
      { phone: '1'.repeat(22) },
      { phone: '138 0013 800a' },
      { region: '' },
      { region: 'r'.repeat(65) },
      { line: '' },
      { line: 'l'.repeat(201) },
      { line: 'two\nlines' },
      { region: 'r'.repeat(64), line: 'l'.repeat(136) },
      { addressId: 'not-an-id' },
      { requestId: 'has space' },
    ];
    for (const change of refused) assert.equal(codeOf(await save(change)), ErrorCode.INVALID_ARGUMENT, JSON.stringify(change));
    const accepted = ok(await save({ recipient: ' 王芳 ', phone: ' 13800138000 ', region: 'r'.repeat(64), line: 'l'.repeat(135) }));
    assert.deepEqual([accepted.recipient, accepted.phone], ['王芳', '13800138000']);
    assert.equal(codeOf(await save({ phone: '+1 234-567' })), 'no error');
  });
});
