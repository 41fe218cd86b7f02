/**
 * The quote (priced as placement prices, nothing written) and the order lists (a customer's
 * without the attempts refused at placement; the admin's with them), against in-memory ports.
 */
import assert from 'node:assert/strict';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { listOrders } from '../../src/domain/orders';
import { placeOrder, quoteOrder, type PlaceOrderInput, type PriceInput } from '../../src/domain/placement';
import { Clock, MemoryCarts, MemoryOrders } from './fakes/memory-repositories';
import { FakeBroker, placementDeps, ShopWorld } from './fakes/shop-world';

const ids = new SnowflakeGenerator(11);
const userId = ids.next();
const otherUser = ids.next();
const tea = ids.next();
const bigCoupon = ids.next();

function setup() {
  const carts = new MemoryCarts();
  const orders = new MemoryOrders(new Clock(), [carts]);
  const world = new ShopWorld().addGoods(tea, '45.60', 10);
  world.balances.set(userId, 2_000n);
  world.coupons.set(bigCoupon, { userId, amount: '500.00' });
  const deps = placementDeps({ orders, carts, world, broker: new FakeBroker(), ids });
  const quote = (input: Partial<PriceInput> = {}) =>
    quoteOrder(deps, { userId, lines: [{ goodsId: tea, quantity: 1 }], fromCart: false, couponId: '', balance: '', ...input });
  const place = (input: Partial<PlaceOrderInput> = {}) =>
    placeOrder(deps, {
      userId,
      lines: [{ goodsId: tea, quantity: 1 }],
      fromCart: false,
      couponId: '',
      balance: '',
      address: '1 Tea Rd',
      consignee: 'Bo',
      idempotencyKey: '',
      ...input,
    });
  return { orders, world, deps, quote, place };
}

const code = (result: unknown) => (result instanceof DomainError ? result.code : 'OK');

describe('the quote (unit)', () => {
  it('prices goods, shipping, coupon and balance as placement does, and reserves nothing', async () => {
    const { world, orders, quote } = setup();
    const priced = await quote({ lines: [{ goodsId: tea, quantity: 2 }], balance: '10.00' });
    assert.ok(!(priced instanceof DomainError), String(priced));
    assert.deepEqual(
      [priced.goodsAmount, priced.shippingFee, priced.couponPaid, priced.balancePaid, priced.payAmount, priced.balanceAvailable],
      ['91.20', '8.00', '0.00', '10.00', '89.20', '20.00'],
    );
    assert.deepEqual(priced.lines, [{ goodsId: tea, quantity: 2, name: `goods ${tea.slice(-4)}`, price: '45.60' }]);
    assert.equal(world.stockOf(tea), 10);
    assert.equal(world.balanceOf(userId), '20.00');
    assert.equal((await orders.listOrders({ includeRefused: true }, 0, 10)).total, 0, 'no order row written');
  });

  it('says how much of a larger coupon the order uses (500.00 on 45.60 + 8.00 pays 53.60)', async () => {
    const { quote } = setup();
    const priced = await quote({ couponId: bigCoupon });
    assert.ok(!(priced instanceof DomainError));
    assert.deepEqual([priced.couponAmount, priced.couponPaid, priced.payAmount], ['500.00', '53.60', '0.00']);
  });

  it('prices goods read as short of the quantity (placement decides the stock; the page says the shortage then)', async () => {
    const { world, orders, quote, place } = setup();
    world.showsStock = true;
    const priced = await quote({ lines: [{ goodsId: tea, quantity: 11 }] });
    assert.ok(!(priced instanceof DomainError), String(priced));
    assert.equal(priced.goodsAmount, '501.60');
    assert.equal(code(await place({ lines: [{ goodsId: tea, quantity: 11 }] })), ErrorCode.INSUFFICIENT_STOCK);
    assert.equal(world.stockOf(tea), 10);
    assert.equal((await orders.listOrders({ includeRefused: true }, 0, 10)).total, 0, 'refused before any order was written');
  });

  it('refuses what placement would refuse: a used coupon, too little balance, goods off sale or unknown, bad lines', async () => {
    const { world, quote, place } = setup();
    const used = await place({ couponId: bigCoupon });
    assert.ok(!(used instanceof DomainError));
    assert.equal(code(await quote({ couponId: bigCoupon })), ErrorCode.COUPON_UNAVAILABLE);
    assert.equal(code(await quote({ balance: '20.01' })), ErrorCode.INSUFFICIENT_BALANCE);
    assert.equal(code(await quote({ balance: '60.00' })), ErrorCode.INVALID_ARGUMENT, 'more balance than is due');
    assert.equal(code(await quote({ lines: [{ goodsId: ids.next(), quantity: 1 }] })), ErrorCode.NOT_FOUND);
    assert.equal(code(await quote({ lines: [{ goodsId: tea, quantity: 0 }] })), ErrorCode.INVALID_ARGUMENT);
    world.goods.get(tea)!.onSale = false;
    assert.equal(code(await quote()), ErrorCode.INVALID_ARGUMENT);
    assert.equal(code(await quote({ userId: 'x' })), ErrorCode.INVALID_ARGUMENT);
  });
});

describe('order lists (unit)', () => {
  it("leaves a customer's refused attempts out of their list; the admin's list has them, flagged", async () => {
    const { place, orders } = setup();
    const refused = await place({ lines: [{ goodsId: tea, quantity: 3 }], balance: '30.00' }); // balance too low: refused
    assert.equal(code(refused), ErrorCode.INSUFFICIENT_BALANCE);
    const live = await place();
    assert.ok(!(live instanceof DomainError));

    const mine = await listOrders(orders, { userId, status: undefined, page: 1, size: 20, includeRefused: false, createdFrom: '', createdTo: '' });
    assert.ok(!(mine instanceof DomainError));
    assert.deepEqual(
      mine.orders.map((order) => order.orderId),
      [live.orderId],
    );
    assert.equal(mine.total, 1);

    const all = await listOrders(orders, { userId: '', status: undefined, page: 1, size: 20, includeRefused: false, createdFrom: '', createdTo: '' });
    assert.ok(!(all instanceof DomainError));
    assert.equal(all.total, 2);
    assert.deepEqual(
      all.orders.map((order) => [order.status, order.refusedAtPlacement]),
      [
        ['CONFIRMED', false],
        ['CANCELLED', true],
      ],
    );
  });

  it("filters the admin's list by user, status and creation time, and refuses bad bounds", async () => {
    const { place, orders } = setup();
    const first = await place();
    assert.ok(!(first instanceof DomainError));
    const list = (input: Partial<Parameters<typeof listOrders>[1]>) =>
      listOrders(orders, { userId: '', status: undefined, page: 1, size: 20, includeRefused: true, createdFrom: '', createdTo: '', ...input });
    const total = async (input: Partial<Parameters<typeof listOrders>[1]>) => {
      const result = await list(input);
      assert.ok(!(result instanceof DomainError), String(result));
      return result.total;
    };
    assert.equal(await total({ userId: otherUser }), 0);
    assert.equal(await total({ status: 'CONFIRMED' }), 1);
    assert.equal(await total({ status: 'PAID' }), 0);
    assert.equal(await total({ createdFrom: first.createdAt }), 1);
    assert.equal(await total({ createdTo: first.createdAt }), 0);
    assert.equal(code(await list({ createdFrom: 'yesterday' })), ErrorCode.INVALID_ARGUMENT);
  });
});
