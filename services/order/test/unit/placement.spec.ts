/**
 * The placement protocol (src/domain/placement.ts) branch by branch, against in-memory ports:
 * what the order becomes, how its half message is resolved, what the outbox announces, and what
 * the other services were asked to take.
 */
import assert from 'node:assert/strict';
import { AppError, DomainError, ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { Tags } from '@shop/contracts';
import { viewOrder, type OrderView } from '../../src/domain/order-view';
import { placeOrder, type PlaceOrderInput } from '../../src/domain/placement';
import { recentCatalogue } from '../../src/clients/recent-goods';
import { Clock, MemoryCarts, MemoryOrders } from './fakes/memory-repositories';
import { FakeBroker, placementDeps, ShopWorld } from './fakes/shop-world';

const ids = new SnowflakeGenerator(7);
const userId = ids.next();
const apple = ids.next();
const pear = ids.next();
const couponId = ids.next();

function setup() {
  const clock = new Clock();
  const carts = new MemoryCarts();
  const orders = new MemoryOrders(clock, [carts]);
  const world = new ShopWorld().addGoods(apple, '30.00', 10).addGoods(pear, '12.50', 2);
  world.balances.set(userId, 10_000n);
  world.coupons.set(couponId, { userId, amount: '5.00' });
  const broker = new FakeBroker();
  const deps = placementDeps({ orders, carts, world, broker, ids });
  const place = (input: Partial<PlaceOrderInput> = {}, beforeConfirm?: (orderId: string) => Promise<void>) =>
    placeOrder(
      deps,
      {
        userId,
        lines: [{ goodsId: apple, quantity: 2 }],
        fromCart: false,
        couponId: '',
        balance: '',
        address: '1 Main St',
        consignee: 'Ann',
        idempotencyKey: '',
        ...input,
      },
      beforeConfirm,
    );
  return { clock, orders, carts, world, broker, deps, place };
}

const placed = (result: OrderView | DomainError): OrderView => {
  if (result instanceof DomainError) assert.fail(`refused: ${result.code} ${result.message}`);
  return result;
};
const refused = (result: OrderView | DomainError, code: string): DomainError => {
  assert.ok(result instanceof DomainError, `expected ${code}, got an order`);
  assert.equal(result.code, code, result.message);
  return result;
};
const tags = (orders: MemoryOrders) => orders.outbox.map((message) => message.tag);

describe('placement (unit, in memory)', () => {
  describe('everything reserved', () => {
    it('confirms the order, rolls the half message back and sets the pay-deadline timer', async () => {
      const { orders, world, broker, place } = setup();
      const order = placed(await place({ balance: '20.00' }));
      assert.equal(order.status, 'CONFIRMED');
      assert.deepEqual([order.goodsAmount, order.shippingFee, order.balancePaid, order.payAmount], ['60.00', '8.00', '20.00', '48.00']);
      assert.equal(broker.resolutionOf(order.orderId), 'rollback');
      assert.deepEqual(tags(orders), [Tags.ORDER_PAY_DEADLINE]);
      const timer = orders.outbox[0]!;
      assert.equal(timer.deliverAt!.getTime(), Date.parse(order.payDeadline) + 11_000, 'the deadline plus the expiry margin and a second');
      assert.equal(world.stockOf(apple), 8);
      assert.equal(world.balanceOf(userId), '80.00');
      assert.deepEqual(
        order.history.map((change) => [change.fromStatus, change.toStatus]),
        [
          [null, 'PENDING'],
          ['PENDING', 'CONFIRMED'],
        ],
      );
    });

    it('answers the order exactly as reading it back gives, without reading it back (CONFIRMED and PAID)', async () => {
      for (const input of [
        {
          lines: [
            { goodsId: pear, quantity: 1 },
            { goodsId: apple, quantity: 1 },
          ],
          couponId,
          balance: '3.10',
        },
        { couponId, balance: '63.00' },
      ]) {
        const { orders, place } = setup();
        const order = placed(await place(input));
        assert.deepEqual(order, await viewOrder(orders, order.orderId));
      }
    });

    it('makes an order that coupon and balance pay in full PAID at once, announcing order.paid with its points', async () => {
      const { orders, world, broker, place } = setup();
      const order = placed(await place({ couponId, balance: '63.00' }));
      assert.equal(order.status, 'PAID');
      assert.equal(order.payAmount, '0.00');
      assert.equal(broker.resolutionOf(order.orderId), 'rollback');
      assert.deepEqual(tags(orders), [Tags.ORDER_PAID]);
      assert.deepEqual(orders.outbox[0]!.body, { orderId: order.orderId, userId, points: '63' });
      assert.equal(world.coupons.get(couponId)!.usedBy, order.orderId);
    });

    it('asks for no coupon and no balance when the order uses none', async () => {
      const { world, place } = setup();
      const order = placed(await place());
      assert.deepEqual(world.calls, [`stock:${order.orderId}`]);
    });

    it('merges repeated goods into one line and reserves them in goods-id order, each at the price the order was priced at', async () => {
      const { world, place } = setup();
      const order = placed(
        await place({
          lines: [
            { goodsId: pear, quantity: 1 },
            { goodsId: apple, quantity: 1 },
            { goodsId: pear, quantity: 1 },
          ],
        }),
      );
      assert.deepEqual(world.taken.stock.get(order.orderId), [
        { goodsId: apple, quantity: 1, price: '30.00' },
        { goodsId: pear, quantity: 2, price: '12.50' },
      ]);
      assert.equal(world.stockOf(pear), 0);
    });
  });

  describe('a reservation refused', () => {
    const cases: [string, (world: ShopWorld) => void, Partial<PlaceOrderInput>, string][] = [
      ['stock short', () => undefined, { lines: [{ goodsId: pear, quantity: 3 }] }, ErrorCode.INSUFFICIENT_STOCK],
      ['coupon used by another order', (world) => void (world.coupons.get(couponId)!.usedBy = ids.next()), { couponId }, ErrorCode.COUPON_UNAVAILABLE],
      ['balance too low', (world) => world.balances.set(userId, 100n), { balance: '20.00' }, ErrorCode.INSUFFICIENT_BALANCE],
    ];
    for (const [name, arrange, input, code] of cases) {
      it(`${name}: the order is CANCELLED, its half message committed and order.cancelled announced (${code})`, async () => {
        const { orders, world, broker, place } = setup();
        arrange(world);
        const error = refused(await place({ couponId, balance: '20.00', ...input }), code);
        const [order] = (await orders.listOrders({ userId, includeRefused: true }, 0, 10)).rows;
        assert.equal(order!.status, 'CANCELLED');
        assert.equal(order!.cancel_reason, error.message);
        assert.equal(broker.resolutionOf(order!.id), 'commit', 'the release consumers give back what the others took');
        assert.deepEqual(tags(orders), [Tags.ORDER_CANCELLED]);
      });
    }

    it('a service that fails (not refuses) cancels the order as UNAVAILABLE: nothing is kept', async () => {
      const { orders, world, broker, place } = setup();
      world.down.add('balance');
      refused(await place({ balance: '20.00' }), ErrorCode.UNAVAILABLE);
      const [order] = (await orders.listOrders({ userId, includeRefused: true }, 0, 10)).rows;
      assert.equal(order!.status, 'CANCELLED');
      assert.equal(broker.resolutionOf(order!.id), 'commit');
      assert.equal(world.stockOf(apple), 8, 'taken by then: the committed half message releases it');
    });
  });

  describe('before anything is reserved', () => {
    it('a half message that cannot be sent cancels the order and reserves nothing', async () => {
      const { orders, world, broker, place } = setup();
      broker.failSend = true;
      refused(await place(), ErrorCode.UNAVAILABLE);
      assert.deepEqual(world.calls, []);
      const [order] = (await orders.listOrders({ userId, includeRefused: true }, 0, 10)).rows;
      assert.equal(order!.status, 'CANCELLED');
      assert.deepEqual(tags(orders), [Tags.ORDER_CANCELLED]);
    });

    const invalid: [string, Partial<PlaceOrderInput>, string][] = [
      ['no lines', { lines: [] }, ErrorCode.INVALID_ARGUMENT],
      ['a quantity of 0', { lines: [{ goodsId: apple, quantity: 0 }] }, ErrorCode.INVALID_ARGUMENT],
      ['a malformed goods id', { lines: [{ goodsId: 'apple', quantity: 1 }] }, ErrorCode.INVALID_ARGUMENT],
      ['unknown goods', { lines: [{ goodsId: ids.next(), quantity: 1 }] }, ErrorCode.NOT_FOUND],
      ['an empty address', { address: '   ' }, ErrorCode.INVALID_ARGUMENT],
      ['a balance with three decimals', { balance: '1.005' }, ErrorCode.INVALID_ARGUMENT],
      ['more balance than is due', { balance: '500.00' }, ErrorCode.INVALID_ARGUMENT],
      ["another user's coupon", { couponId: ids.next() }, ErrorCode.COUPON_UNAVAILABLE],
      ['an idempotency key with a space', { idempotencyKey: 'a b' }, ErrorCode.INVALID_ARGUMENT],
      ['lines and fromCart together', { fromCart: true }, ErrorCode.INVALID_ARGUMENT],
    ];
    for (const [name, input, code] of invalid) {
      it(`${name}: ${code}, and nothing is written, sent or reserved`, async () => {
        const { orders, world, broker, place } = setup();
        refused(await place(input), code);
        assert.equal((await orders.listOrders({ userId, includeRefused: true }, 0, 10)).total, 0);
        assert.equal(broker.halves.size, 0);
        assert.deepEqual(world.calls, []);
      });
    }

    it('a line asking more than the stock read is refused before an order, a message or a reservation exists', async () => {
      const { orders, world, broker, place } = setup();
      world.showsStock = true;
      const error = refused(await place({ lines: [{ goodsId: pear, quantity: 3 }], couponId, balance: '20.00' }), ErrorCode.INSUFFICIENT_STOCK);
      assert.deepEqual(error.detail, { goodsId: pear });
      assert.deepEqual([world.calls, broker.halves.size, orders.outbox.length], [[], 0, 0]);
      assert.equal((await orders.listOrders({ userId, includeRefused: true }, 0, 10)).total, 0);
      assert.equal(placed(await place({ lines: [{ goodsId: pear, quantity: 2 }] })).status, 'CONFIRMED', 'as many as read go to the reservation');
    });

    it('goods not on sale are refused', async () => {
      const { world, place } = setup();
      world.addGoods(pear, '12.50', 2, false);
      refused(await place({ lines: [{ goodsId: pear, quantity: 1 }] }), ErrorCode.INVALID_ARGUMENT);
    });
  });

  describe('priced from goods read a moment ago (CATALOGUE_RECENT_MS)', () => {
    const withRecentReads = () => {
      const parts = setup();
      let now = 0;
      const reads: string[][] = [];
      const catalogue = recentCatalogue(
        { ...parts.world.catalogue, goods: (goodsIds, freshness) => (reads.push(goodsIds), parts.world.catalogue.goods(goodsIds, freshness)) },
        1_000,
        () => now,
      );
      const deps = { ...parts.deps, catalogue };
      const place = (lines = [{ goodsId: apple, quantity: 1 }]) =>
        placeOrder(deps, { userId, lines, fromCart: false, couponId: '', balance: '20.00', address: '1 Main St', consignee: 'Ann', idempotencyKey: '' });
      return { ...parts, reads, place, later: (ms: number) => (now += ms) };
    };

    it('reads the goods once for the orders of a moment, then again', async () => {
      const { reads, place, later } = withRecentReads();
      placed(await place());
      placed(await place());
      assert.equal(reads.length, 1, 'the second order priced from the first read');
      later(1_000);
      placed(await place());
      assert.equal(reads.length, 2, 'a read a second old is not used');
    });

    it('an order priced before a price change is refused whole (PRICE_CHANGED), nothing kept; the next one pays the new price', async () => {
      const { world, orders, broker, reads, place } = withRecentReads();
      placed(await place());
      world.goods.get(apple)!.price = '31.00';
      const balance = world.balanceOf(userId);
      const stock = world.stockOf(apple);
      refused(await place(), ErrorCode.PRICE_CHANGED);
      const { rows } = await orders.listOrders({ userId, includeRefused: true }, 0, 10);
      const refusedOrder = rows.find((row) => row.status === 'CANCELLED');
      assert.deepEqual([rows.length, rows.filter((row) => row.status === 'CONFIRMED').length], [2, 1]);
      assert.equal(broker.resolutionOf(refusedOrder!.id), 'commit', 'whatever the order took is released');
      assert.equal(world.taken.stock.has(refusedOrder!.id), false, 'no unit taken at the old price');
      assert.equal(world.stockOf(apple), stock);
      // The balance reservation ran beside the refused stock: the committed half message has the
      // release consumer give back exactly what the ledger says it took.
      assert.equal(world.taken.balance.get(refusedOrder!.id), '20.00');
      assert.notEqual(world.balanceOf(userId), balance);
      const next = placed(await place());
      assert.deepEqual([next.lines[0]!.price, next.goodsAmount], ['31.00', '31.00'], 'priced from a new read');
      assert.equal(reads.length, 2);
    });

    it('a recent read that would refuse a line is read again first: stock put back meanwhile is sold', async () => {
      const { world, reads, place } = withRecentReads();
      world.showsStock = true;
      world.goods.get(pear)!.stock = 1;
      placed(await place([{ goodsId: pear, quantity: 1 }]));
      world.goods.get(pear)!.stock = 5;
      const order = placed(await place([{ goodsId: pear, quantity: 2 }]));
      assert.equal(order.status, 'CONFIRMED');
      assert.equal(reads.length, 2, 'the read that said 1 left was not trusted with the refusal');
      assert.equal(world.stockOf(pear), 3);
    });
  });

  describe('repeats', () => {
    it('a repeated request with its idempotency key answers the first order and reserves nothing again', async () => {
      const { world, broker, place } = setup();
      const lines = [
        { goodsId: apple, quantity: 1 },
        { goodsId: pear, quantity: 1 },
        { goodsId: apple, quantity: 1 },
      ];
      const first = placed(await place({ idempotencyKey: 'checkout-1', lines, balance: '20' }));
      // The same request written another way: lines merged and in another order, 20 as 20.00.
      const again = placed(await place({ idempotencyKey: 'checkout-1', lines: [...lines].reverse(), balance: '20.00', address: ' 1 Main St ' }));
      assert.equal(again.orderId, first.orderId);
      assert.equal(world.calls.length, 2, 'stock and balance, once each');
      assert.equal(broker.halves.size, 1);
      assert.equal(world.stockOf(pear), 1);
    });

    it('the key of a request sent with another request is refused, and nothing is reserved (IDEMPOTENCY_KEY_REUSED)', async () => {
      const { world, broker, orders, place } = setup();
      const first = refused(await place({ idempotencyKey: 'checkout-2', balance: '10000.01' }), ErrorCode.INVALID_ARGUMENT);
      assert.ok(first);
      // Refused before an order was written: the key is still free.
      const placedOnce = placed(await place({ idempotencyKey: 'checkout-2' }));
      refused(await place({ idempotencyKey: 'checkout-2', lines: [{ goodsId: pear, quantity: 1 }] }), ErrorCode.IDEMPOTENCY_KEY_REUSED);
      refused(await place({ idempotencyKey: 'checkout-2', couponId }), ErrorCode.IDEMPOTENCY_KEY_REUSED);
      assert.equal(world.stockOf(pear), 2);
      assert.equal(broker.halves.size, 1);
      assert.equal((await orders.listOrders({ userId, includeRefused: true }, 0, 10)).total, 1);
      assert.equal(placedOnce.status, 'CONFIRMED');
    });

    it('a corrected retry of a refused attempt with its old key is refused instead of answering the CANCELLED order', async () => {
      const { world, place } = setup();
      world.balances.set(userId, 500n);
      refused(await place({ idempotencyKey: 'checkout-3', balance: '50.00' }), ErrorCode.INSUFFICIENT_BALANCE);
      refused(await place({ idempotencyKey: 'checkout-3', balance: '5.00' }), ErrorCode.IDEMPOTENCY_KEY_REUSED);
      const fresh = placed(await place({ idempotencyKey: 'checkout-4', balance: '5.00' }));
      assert.equal(fresh.status, 'CONFIRMED');
    });

    it('the same key of another user is another order', async () => {
      const { place } = setup();
      const first = placed(await place({ idempotencyKey: 'k' }));
      const other = await place({ idempotencyKey: 'k', userId: ids.next() });
      assert.ok(other instanceof DomainError || other.orderId !== first.orderId);
    });
  });

  describe('crash points and races', () => {
    it('a fault before the confirm step (after every reservation) cancels with its code and commits the release', async () => {
      const { orders, broker, place } = setup();
      refused(
        await place({}, async () => {
          throw new AppError(ErrorCode.UNAVAILABLE, 'injected');
        }),
        ErrorCode.UNAVAILABLE,
      );
      const [order] = (await orders.listOrders({ userId, includeRefused: true }, 0, 10)).rows;
      assert.equal(order!.status, 'CANCELLED');
      assert.equal(broker.resolutionOf(order!.id), 'commit');
    });

    it('a user cancel landing between the reservations and the confirm wins: the half message is committed', async () => {
      const { orders, broker, place } = setup();
      const order = placed(
        await place({}, async (orderId) => {
          await orders.transaction((tx) => orders.transition(tx, orderId, 'cancel', { actor: `user:${userId}`, reason: 'changed my mind' }));
        }),
      );
      assert.equal(order.status, 'CANCELLED');
      assert.equal(broker.resolutionOf(order.orderId), 'commit');
      assert.ok(!tags(orders).includes(Tags.ORDER_PAY_DEADLINE), 'no timer for a cancelled order');
    });

    it('a lost resolution leaves the half message to the check-back, and the order as it is', async () => {
      const { broker, place } = setup();
      broker.failResolve = true;
      const order = placed(await place());
      assert.equal(order.status, 'CONFIRMED');
      assert.equal(broker.resolutionOf(order.orderId), undefined);
    });

    it('a process that dies before the confirm leaves a PENDING order, its half message unresolved', async () => {
      const { orders, broker, place } = setup();
      const dying = place({}, () => new Promise<never>(() => undefined));
      await new Promise((resolve) => setImmediate(resolve));
      const [order] = (await orders.listOrders({ userId, includeRefused: true }, 0, 10)).rows;
      assert.equal(order!.status, 'PENDING');
      assert.equal(broker.resolutionOf(order!.id), undefined);
      void dying;
    });

    it('a confirm whose commit fails rolls back the move, the timer and the cart change together', async () => {
      const { orders, carts, place } = setup();
      await carts.put({} as never, userId, apple, 2, true);
      const original = orders.transaction.bind(orders);
      let confirms = 0;
      orders.transaction = async (work) =>
        original(async (tx) => {
          const result = await work(tx);
          if (++confirms === 1) orders.failNextCommit = true;
          return result;
        });
      await assert.rejects(place({ lines: [], fromCart: true }), /connection lost at commit/);
      const [order] = (await orders.listOrders({ userId, includeRefused: true }, 0, 10)).rows;
      assert.equal(order!.status, 'PENDING', 'the check-back decides it later');
      assert.deepEqual(tags(orders), []);
      assert.deepEqual(await carts.items(userId), [{ goods_id: apple, quantity: 2, checked: true }]);
    });
  });

  describe('checkout from the cart', () => {
    it('orders the checked lines and takes them out of the cart with the confirm', async () => {
      const { carts, world, place } = setup();
      await carts.put({} as never, userId, apple, 3, true);
      await carts.put({} as never, userId, pear, 1, false);
      const order = placed(await place({ lines: [], fromCart: true }));
      assert.deepEqual(world.taken.stock.get(order.orderId), [{ goodsId: apple, quantity: 3, price: '30.00' }]);
      assert.deepEqual(await carts.items(userId), [{ goods_id: pear, quantity: 1, checked: false }]);
    });

    it('keeps the cart when the checkout is refused', async () => {
      const { carts, place } = setup();
      await carts.put({} as never, userId, pear, 3, true);
      refused(await place({ lines: [], fromCart: true }), ErrorCode.INSUFFICIENT_STOCK);
      assert.deepEqual(await carts.items(userId), [{ goods_id: pear, quantity: 3, checked: true }]);
    });

    it('refuses a cart with nothing checked', async () => {
      const { carts, place } = setup();
      await carts.put({} as never, userId, pear, 1, false);
      refused(await place({ lines: [], fromCart: true }), ErrorCode.CART_EMPTY);
    });
  });
});
