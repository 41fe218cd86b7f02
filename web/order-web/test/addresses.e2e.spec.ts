/**
 * The customer's address book: adding, replacing and deleting addresses, exactly one default, at
 * most 20, another user's addresses out of reach; and orders delivered to an address book entry,
 * to the default address, or refused without any address. Checked in user_address and the order.
 */
import assert from 'node:assert/strict';
import { withSystem } from './support/end-to-end';
import { call, newCustomer, newGoods, type Reply } from './support/shop-api';
import type { SystemState } from './support/system-state';

describe('address book', function () {
  this.timeout(60_000);
  let admin: string;
  let state: SystemState;
  let goodsId: string;
  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );
  before(async () => {
    goodsId = await newGoods(admin, '6.00', 1_000);
  });

  const home = { recipient: 'Wang Fang', phone: '+86 138-0013-8000', region: 'Zhejiang, Hangzhou, Xihu', line: '18 Wensan Road, 3-201' };
  const expectError = (reply: Reply, status: number, code: string, what: string) => {
    assert.equal(reply.status, status, `${what}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body?.code, code, what);
  };
  const add = (token: string, body: Record<string, unknown>, key?: string) =>
    call('POST', '/api/v1/addresses', { token, json: body, headers: key ? { 'idempotency-key': key } : {} });
  const list = async (token: string) => {
    const reply = await call('GET', '/api/v1/addresses', { token });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.items as { addressId: string; recipient: string; line: string; isDefault: boolean }[];
  };
  const defaultsIn = async (userId: string) => (await state.addresses(userId)).filter((row) => row.is_default === 1).map((row) => row.id);
  const order = (token: string, body: Record<string, unknown>) =>
    call('POST', '/api/v1/orders', { token, json: { items: [{ goodsId, quantity: 1 }], ...body } });

  it('adds, replaces and deletes addresses, keeping exactly one default', async () => {
    const customer = await newCustomer(admin);
    assert.deepEqual(await list(customer.token), []);
    const first = await add(customer.token, home);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.deepEqual({ ...first.body, addressId: undefined }, { ...home, addressId: undefined, isDefault: true });
    const second = await add(customer.token, { ...home, recipient: 'Li Lei', isDefault: false });
    assert.equal(second.body.isDefault, false);
    const third = await add(customer.token, { ...home, recipient: 'Han Meimei', isDefault: true });
    assert.equal(third.body.isDefault, true);
    assert.deepEqual(await defaultsIn(customer.userId), [third.body.addressId]);
    assert.deepEqual(
      (await list(customer.token)).map((address) => address.addressId),
      [third.body.addressId, second.body.addressId, first.body.addressId],
      'the default first, then newest first',
    );

    const replaced = await call('PUT', `/api/v1/addresses/${second.body.addressId}`, {
      token: customer.token,
      json: { ...home, recipient: 'Li Lei', line: '1 Binjiang Avenue', isDefault: true },
    });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.deepEqual([replaced.body.line, replaced.body.isDefault], ['1 Binjiang Avenue', true]);
    assert.deepEqual(await defaultsIn(customer.userId), [second.body.addressId]);
    const kept = await call('PUT', `/api/v1/addresses/${second.body.addressId}`, { token: customer.token, json: { ...home, recipient: 'Li Lei' } });
    assert.equal(kept.body.isDefault, true, 'without isDefault the default stays');

    const deleted = await call('DELETE', `/api/v1/addresses/${second.body.addressId}`, { token: customer.token });
    assert.equal(deleted.status, 204);
    assert.deepEqual(await defaultsIn(customer.userId), [third.body.addressId], 'the newest remaining one is the default');
    expectError(await call('DELETE', `/api/v1/addresses/${second.body.addressId}`, { token: customer.token }), 404, 'NOT_FOUND', 'deleted already');
    const rows = await state.addresses(customer.userId);
    assert.deepEqual(
      rows.map((row) => [row.id, row.recipient, row.phone, row.region, row.line, row.is_default]),
      [
        [first.body.addressId, 'Wang Fang', home.phone, home.region, home.line, 0],
        [third.body.addressId, 'Han Meimei', home.phone, home.region, home.line, 1],
      ],
    );
  });

  it('creates once per Idempotency-Key, holds at most 20, and refuses bad addresses without writing', async () => {
    const customer = await newCustomer(admin);
    const once = await add(customer.token, home, 'address-key-1');
    const again = await add(customer.token, { ...home, recipient: 'Someone Else' }, 'address-key-1');
    assert.deepEqual([again.status, again.body.addressId, again.body.recipient], [201, once.body.addressId, 'Wang Fang']);
    for (let i = 1; i < 20; i++) assert.equal((await add(customer.token, { ...home, recipient: `r${i}` })).status, 201);
    expectError(await add(customer.token, home), 409, 'ADDRESS_BOOK_FULL', 'the 21st');
    assert.equal((await state.addresses(customer.userId)).length, 20);
    assert.deepEqual((await defaultsIn(customer.userId)).length, 1);

    const other = await newCustomer(admin);
    const bad: [string, Record<string, unknown>][] = [
      ['no recipient', { phone: home.phone, region: home.region, line: home.line }],
      ['a recipient of 33', { ...home, recipient: 'x'.repeat(33) }],
      ['a blank recipient', { ...home, recipient: '   ' }],
      ['letters in the phone', { ...home, phone: '138-abcd-8000' }],
      ['a short phone', { ...home, phone: '12345' }],
      ['a region of 65', { ...home, region: 'r'.repeat(65) }],
      ['a line of 201', { ...home, line: 'l'.repeat(201) }],
      ['region and line beyond an order address', { ...home, region: 'r'.repeat(64), line: 'l'.repeat(150) }],
      ['a line break', { ...home, line: 'two\nlines' }],
      ['an unknown field', { ...home, zip: '310000' }],
      ['isDefault as a string', { ...home, isDefault: 'yes' }],
    ];
    for (const [what, body] of bad) expectError(await add(other.token, body), 400, 'INVALID_ARGUMENT', what);
    expectError(await call('PUT', '/api/v1/addresses/not-an-id', { token: other.token, json: home }), 400, 'INVALID_ARGUMENT', 'a bad id');
    expectError(await call('GET', '/api/v1/addresses'), 401, 'UNAUTHENTICATED', 'no token');
    assert.deepEqual(await state.addresses(other.userId), []);
  });

  it("another user's address is 404: not replaced, not deleted, not ordered to, not quoted", async () => {
    const owner = await newCustomer(admin);
    const stranger = await newCustomer(admin);
    const address = (await add(owner.token, home)).body.addressId as string;
    const before = await state.addresses(owner.userId);
    expectError(
      await call('PUT', `/api/v1/addresses/${address}`, { token: stranger.token, json: { ...home, line: 'taken over' } }),
      404,
      'NOT_FOUND',
      'replace',
    );
    expectError(await call('DELETE', `/api/v1/addresses/${address}`, { token: stranger.token }), 404, 'NOT_FOUND', 'delete');
    expectError(await order(stranger.token, { addressId: address }), 404, 'NOT_FOUND', 'order');
    expectError(
      await call('POST', '/api/v1/orders/quote', { token: stranger.token, json: { items: [{ goodsId, quantity: 1 }], addressId: address } }),
      404,
      'NOT_FOUND',
      'quote',
    );
    assert.deepEqual(await state.addresses(owner.userId), before);
    assert.deepEqual(await state.ordersOf(stranger.userId), []);
    const quoted = await call('POST', '/api/v1/orders/quote', { token: owner.token, json: { items: [{ goodsId, quantity: 1 }], addressId: address } });
    assert.equal(quoted.status, 200, JSON.stringify(quoted.body));
  });

  it('delivers an order to an address book entry, to the default address, and refuses one with no address at all', async () => {
    const customer = await newCustomer(admin);
    expectError(await order(customer.token, {}), 400, 'ADDRESS_REQUIRED', 'an empty address book');
    expectError(await order(customer.token, { address: '1 Main St' }), 400, 'INVALID_ARGUMENT', 'an address without a consignee');
    assert.deepEqual(await state.ordersOf(customer.userId), [], 'nothing placed');

    const office = (await add(customer.token, { recipient: 'Zhang Wei', phone: '021 5555 0000', region: 'Shanghai, Pudong', line: '100 Century Avenue' })).body
      .addressId as string;
    const homeId = (await add(customer.token, { ...home, isDefault: true })).body.addressId as string;

    const toOffice = await order(customer.token, { addressId: office });
    assert.equal(toOffice.status, 201, JSON.stringify(toOffice.body));
    assert.deepEqual([toOffice.body.consignee, toOffice.body.address], ['Zhang Wei 021 5555 0000', 'Shanghai, Pudong 100 Century Avenue']);
    const toDefault = await order(customer.token, {});
    assert.equal(toDefault.status, 201, JSON.stringify(toDefault.body));
    assert.deepEqual([toDefault.body.consignee, toDefault.body.address], [`${home.recipient} ${home.phone}`, `${home.region} ${home.line}`]);
    const stored = (await state.order(toDefault.body.orderId)) as unknown as { consignee: string; address: string };
    assert.deepEqual([stored.consignee, stored.address], [`${home.recipient} ${home.phone}`, `${home.region} ${home.line}`]);
    const typed = await order(customer.token, { address: '9 Typed Road', consignee: 'Typed Name' });
    assert.deepEqual([typed.status, typed.body.address, typed.body.consignee], [201, '9 Typed Road', 'Typed Name'], 'typed ones still work');
    expectError(
      await order(customer.token, { addressId: homeId, address: '9 Typed Road', consignee: 'Typed Name' }),
      400,
      'INVALID_ARGUMENT',
      'addressId and an address',
    );
    expectError(await order(customer.token, { addressId: 'x1' }), 400, 'INVALID_ARGUMENT', 'a bad addressId');

    // The default deleted: the other address is the default, and orders go there.
    assert.equal((await call('DELETE', `/api/v1/addresses/${homeId}`, { token: customer.token })).status, 204);
    assert.equal((await order(customer.token, {})).body.consignee, 'Zhang Wei 021 5555 0000');
    assert.equal((await call('DELETE', `/api/v1/addresses/${office}`, { token: customer.token })).status, 204);
    expectError(await order(customer.token, {}), 400, 'ADDRESS_REQUIRED', 'the book emptied');
    assert.equal((await state.ordersOf(customer.userId)).length, 4);
  });
});
