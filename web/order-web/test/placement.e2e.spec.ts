/**
 * Order placement end to end: order-web -> order -> goods/coupon/user over ZooKeeper-discovered
 * gRPC, RocketMQ half messages and release consumers, MySQL. Needs the system running
 * (`npm test` starts it). Every test asserts stock, coupon, balance and order rows.
 */
import assert from 'node:assert/strict';
import { loadInfraConfig } from '@shop/common/config';
import { ErrorCode } from '@shop/common/errors';
import { createLogger } from '@shop/common/log';
import { MqProducer } from '@shop/common/mq';
import { createRpcClient, RpcError, RpcTransport, ZkRegistry } from '@shop/common/rpc';
import { couponContract, FAULT_HEADER, Faults, goodsContract, Tags, Topics, userContract } from '@shop/contracts';
import { eventually, sleep } from '../../../common/test/support/infra';
import { kill, start } from './support/processes';
import { call, newCustomer, newGoods, placeOrder } from './support/shop-api';
import { withSystem } from './support/end-to-end';
import type { SystemState } from './support/system-state';

const RELEASE_WAIT_MS = 30_000;

describe('order placement end to end', function () {
  this.timeout(90_000);
  let admin: string;
  let state: SystemState;

  /** Waits until every service has released the order, then returns the state. */
  const released = (orderId: string) =>
    eventually(`release of ${orderId}`, RELEASE_WAIT_MS, async () => {
      const ledger = await state.released(orderId);
      return ledger.goods && ledger.coupon && ledger.user ? ledger : undefined;
    });

  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  it('success: stock, coupon and balance are taken once and the order is CONFIRMED with server-side amounts', async () => {
    const goodsId = await newGoods(admin, '19.90', 10);
    const customer = await newCustomer(admin, { balance: '30.00', coupons: ['5.00'] });
    const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 3 }], couponId: customer.couponIds[0], balance: '25.00' });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.deepEqual(
      {
        status: placed.body.status,
        goodsAmount: placed.body.goodsAmount,
        shippingFee: placed.body.shippingFee,
        couponPaid: placed.body.couponPaid,
        balancePaid: placed.body.balancePaid,
        payAmount: placed.body.payAmount,
      },
      { status: 'CONFIRMED', goodsAmount: '59.70', shippingFee: '10.00', couponPaid: '5.00', balancePaid: '25.00', payAmount: '39.70' },
    );
    const { orderId } = placed.body;
    assert.equal(await state.stock(goodsId), 7);
    assert.equal(await state.unitsTaken(orderId), 3);
    assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 1, order_id: orderId });
    assert.equal(await state.balance(customer.userId), '5.00');
    assert.equal((await state.order(orderId))?.status, 'CONFIRMED');

    const me = await call('GET', '/api/v1/me', { token: customer.token });
    assert.deepEqual({ balance: me.body.balance, points: me.body.points }, { balance: '5.00', points: 0 });
    const fetched = await call('GET', `/api/v1/orders/${orderId}`, { token: customer.token });
    assert.equal(fetched.body.status, 'CONFIRMED');
    assert.deepEqual(fetched.body.items, [{ goodsId, name: fetched.body.items[0].name, price: '19.90', quantity: 3 }]);
    // The placement answers from what it wrote (no read back): to the millisecond what a read gives.
    assert.deepEqual(placed.body, fetched.body);
  });

  it('the same Idempotency-Key returns the same order and takes nothing more', async () => {
    const goodsId = await newGoods(admin, '50.00', 10);
    const customer = await newCustomer(admin);
    const key = `key-${Date.now()}`;
    const first = await placeOrder(customer.token, { items: [{ goodsId, quantity: 2 }] }, { 'idempotency-key': key });
    const second = await placeOrder(customer.token, { items: [{ goodsId, quantity: 2 }] }, { 'idempotency-key': key });
    assert.equal(first.status, 201);
    assert.equal(second.body.orderId, first.body.orderId);
    assert.equal(await state.stock(goodsId), 8);
    assert.equal((await state.ordersOf(customer.userId)).length, 1);
  });

  it('the same Idempotency-Key with another request is refused (409 IDEMPOTENCY_KEY_REUSED) and takes nothing', async () => {
    const goodsId = await newGoods(admin, '50.00', 10);
    const customer = await newCustomer(admin, { balance: '10.00' });
    const key = `reused-${Date.now()}`;
    const tooPoor = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '20.00' }, { 'idempotency-key': key });
    assert.equal(tooPoor.body.code, 'INSUFFICIENT_BALANCE');
    const corrected = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '5.00' }, { 'idempotency-key': key });
    assert.deepEqual([corrected.status, corrected.body.code], [409, 'IDEMPOTENCY_KEY_REUSED']);
    const repeated = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '20.00' }, { 'idempotency-key': key });
    assert.equal(repeated.body.status, 'CANCELLED', 'the refused attempt itself, repeated, answers its order');
    await eventually('the refused attempt released', 30_000, async () => ((await state.stock(goodsId)) === 10 ? true : undefined));
    assert.equal(await state.balance(customer.userId), '10.00');
    assert.deepEqual(
      (await state.ordersOf(customer.userId)).map((order) => order.status),
      ['CANCELLED'],
    );
  });

  it('an order paid in full by coupon and balance is PAID at once', async () => {
    const goodsId = await newGoods(admin, '100.00', 5);
    const customer = await newCustomer(admin, { balance: '90.00', coupons: ['10.00'] });
    const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], couponId: customer.couponIds[0], balance: '90.00' });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.deepEqual([placed.body.status, placed.body.shippingFee, placed.body.payAmount], ['PAID', '0.00', '0.00']);
    assert.equal((await state.order(placed.body.orderId))?.status, 'PAID');
    assert.equal(await state.balance(customer.userId), '0.00');
    assert.equal(await state.stock(goodsId), 4);
    assert.deepEqual(placed.body, (await call('GET', `/api/v1/orders/${placed.body.orderId}`, { token: customer.token })).body);

    // Its life goes on: shipped by an admin, received by its owner; a paid order cannot be cancelled.
    const { orderId } = placed.body;
    assert.equal((await call('POST', `/api/v1/orders/${orderId}/cancel`, { token: customer.token })).body.code, 'ORDER_STATE');
    assert.equal((await call('POST', `/api/v1/admin/orders/${orderId}/ship`, { token: admin })).body.status, 'SHIPPED');
    assert.equal((await state.order(orderId))?.status, 'SHIPPED');
    assert.equal((await call('POST', `/api/v1/orders/${orderId}/receipt`, { token: customer.token })).body.status, 'COMPLETED');
    assert.equal((await state.order(orderId))?.status, 'COMPLETED');
    const listed = await call('GET', '/api/v1/orders?status=COMPLETED', { token: customer.token });
    assert.deepEqual([listed.body.total, listed.body.items[0].orderId], [1, orderId]);
    assert.equal((await call('GET', '/api/v1/orders?status=CONFIRMED', { token: customer.token })).body.total, 0);
    assert.equal(await state.stock(goodsId), 4);
  });

  describe('a failed step cancels the order and gives back exactly what was taken', () => {
    /** Places an order expected to fail with `code`; returns its (cancelled) order id. */
    async function failingOrder(
      token: string,
      userId: string,
      body: Record<string, unknown>,
      code: string,
      headers: Record<string, string> = {},
    ): Promise<string> {
      const reply = await placeOrder(token, body, headers);
      assert.equal(reply.body.code, code, JSON.stringify(reply.body));
      assert.equal(reply.status, code === 'UNAVAILABLE' ? 503 : 409);
      const orders = await state.ordersOf(userId);
      const cancelled = orders.find((order) => order.status === 'CANCELLED');
      assert.ok(cancelled, `a CANCELLED order for ${JSON.stringify(orders)}`);
      await released(cancelled.id);
      return cancelled.id;
    }

    it('insufficient stock as read: refused before any order is written; stock, coupon and balance untouched', async () => {
      const goodsId = await newGoods(admin, '10.00', 2);
      const customer = await newCustomer(admin, { balance: '20.00', coupons: ['3.00'] });
      const reply = await placeOrder(customer.token, { items: [{ goodsId, quantity: 3 }], couponId: customer.couponIds[0], balance: '20.00' });
      assert.deepEqual([reply.status, reply.body.code, reply.body.message], [409, 'INSUFFICIENT_STOCK', `not enough stock for goods ${goodsId}`]);
      assert.deepEqual(await state.ordersOf(customer.userId), []);
      assert.equal(await state.stock(goodsId), 2);
      assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 0, order_id: null });
      assert.equal(await state.balance(customer.userId), '20.00');
    });

    it('coupon already used: stock and balance come back, the coupon stays with its first order', async () => {
      const goodsId = await newGoods(admin, '10.00', 5);
      const customer = await newCustomer(admin, { balance: '20.00', coupons: ['3.00'] });
      const couponId = customer.couponIds[0]!;
      const first = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], couponId });
      assert.equal(first.status, 201);
      await failingOrder(customer.token, customer.userId, { items: [{ goodsId, quantity: 2 }], couponId, balance: '5.00' }, 'COUPON_UNAVAILABLE');
      assert.equal(await state.stock(goodsId), 4);
      assert.deepEqual(await state.coupon(couponId), { used: 1, order_id: first.body.orderId });
      assert.equal(await state.balance(customer.userId), '20.00');
    });

    it("another user's coupon: refused before anything is taken, no order", async () => {
      const goodsId = await newGoods(admin, '10.00', 5);
      const owner = await newCustomer(admin, { coupons: ['3.00'] });
      const thief = await newCustomer(admin, { balance: '20.00' });
      const reply = await placeOrder(thief.token, { items: [{ goodsId, quantity: 1 }], couponId: owner.couponIds[0], balance: '5.00' });
      assert.deepEqual([reply.status, reply.body.code], [409, 'COUPON_UNAVAILABLE']);
      assert.deepEqual(await state.ordersOf(thief.userId), []);
      assert.equal(await state.stock(goodsId), 5);
      assert.deepEqual(await state.coupon(owner.couponIds[0]!), { used: 0, order_id: null });
      assert.equal(await state.balance(thief.userId), '20.00');
    });

    it('insufficient balance: stock and coupon come back', async () => {
      const goodsId = await newGoods(admin, '40.00', 5);
      const customer = await newCustomer(admin, { balance: '10.00', coupons: ['3.00'] });
      await failingOrder(
        customer.token,
        customer.userId,
        { items: [{ goodsId, quantity: 1 }], couponId: customer.couponIds[0], balance: '30.00' },
        'INSUFFICIENT_BALANCE',
      );
      assert.equal(await state.stock(goodsId), 5);
      assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 0, order_id: null });
      assert.equal(await state.balance(customer.userId), '10.00');
    });

    it('a failure injected at the confirm step: everything comes back', async () => {
      const goodsId = await newGoods(admin, '10.00', 5);
      const customer = await newCustomer(admin, { balance: '20.00', coupons: ['3.00'] });
      // A server-side failure, not the caller's: 503 UNAVAILABLE, and nothing was charged.
      const orderId = await failingOrder(
        customer.token,
        customer.userId,
        { items: [{ goodsId, quantity: 4 }], couponId: customer.couponIds[0], balance: '20.00' },
        'UNAVAILABLE',
        { [FAULT_HEADER]: Faults.FAIL_BEFORE_CONFIRM },
      );
      assert.equal(await state.stock(goodsId), 5);
      assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 0, order_id: null });
      assert.equal(await state.balance(customer.userId), '20.00');
      assert.match((await state.order(orderId))!.cancel_reason ?? '', /injected failure/);
    });
  });

  it('the order service killed (SIGKILL) after the reservations: the check-back cancels the order and everything is released', async function () {
    this.timeout(120_000);
    const goodsId = await newGoods(admin, '10.00', 5);
    const customer = await newCustomer(admin, { balance: '20.00', coupons: ['3.00'] });
    const pending = placeOrder(
      customer.token,
      { items: [{ goodsId, quantity: 2 }], couponId: customer.couponIds[0], balance: '15.00' },
      { [FAULT_HEADER]: Faults.HANG_BEFORE_CONFIRM },
    );

    // Wait until the placement has taken everything and stopped before its confirm step.
    const orderId = await eventually('the reservations', 15_000, async () => {
      const [order] = await state.ordersOf(customer.userId);
      if (!order) return undefined;
      const taken =
        (await state.unitsTaken(order.id)) === 2 && (await state.balanceTaken(order.id)) === '15.00' && (await state.coupon(customer.couponIds[0]!)).used === 1;
      return taken ? order.id : undefined;
    });
    assert.equal((await state.order(orderId))?.status, 'PENDING');
    assert.equal(await state.stock(goodsId), 3);

    // Every instance: the one holding the placement is among them.
    kill('order');
    const reply = await pending;
    assert.ok(reply.status >= 500 || reply.status === 409, `the caller learns it failed (${reply.status})`);
    try {
      // Nobody resolves the half message now: the broker checks back with whichever order
      // instance runs, and the deadline has passed for the PENDING order.
      start('order');
      await released(orderId);
    } finally {
      start('order');
    }
    const order = await state.order(orderId);
    assert.equal(order?.status, 'CANCELLED');
    assert.match(order?.cancel_reason ?? '', /abandoned/);
    assert.equal(await state.stock(goodsId), 5);
    assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 0, order_id: null });
    assert.equal(await state.balance(customer.userId), '20.00');
  });

  describe('after a release', () => {
    let registry: ZkRegistry;
    const logger = createLogger('test', 'silent');

    before(async () => {
      registry = await ZkRegistry.connect({ ...loadInfraConfig().zookeeper, logger });
    });

    after(() => registry?.close());

    it('a reservation arriving late for a released order is refused and takes nothing', async () => {
      const goodsId = await newGoods(admin, '40.00', 5);
      const customer = await newCustomer(admin, { balance: '10.00', coupons: ['3.00'] });
      const reply = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '30.00' });
      assert.equal(reply.body.code, 'INSUFFICIENT_BALANCE');
      const [order] = await state.ordersOf(customer.userId);
      await released(order!.id);

      // As the order service would send them, late: the only caller these methods admit.
      const options = { application: 'order', registry, logger, transport: RpcTransport.fromConfig(loadInfraConfig().rpcTls, 'order') };
      const goods = await createRpcClient(goodsContract, options);
      const coupons = await createRpcClient(couponContract, options);
      const users = await createRpcClient(userContract, options);
      try {
        const late = [
          goods.reduceStock({ orderId: order!.id, lines: [{ goodsId, quantity: 1, price: '' }] }),
          coupons.useCoupon({ orderId: order!.id, userId: customer.userId, couponId: customer.couponIds[0]! }),
          users.reduceBalance({ orderId: order!.id, userId: customer.userId, amount: '5.00' }),
        ];
        for (const attempt of await Promise.allSettled(late)) {
          assert.equal(attempt.status, 'rejected');
          assert.ok(attempt.reason instanceof RpcError);
          assert.equal(attempt.reason.code, ErrorCode.RELEASED);
        }
      } finally {
        await Promise.all([goods.$close(), coupons.$close(), users.$close()]);
      }
      assert.equal(await state.stock(goodsId), 5);
      assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 0, order_id: null });
      assert.equal(await state.balance(customer.userId), '10.00');
    });

    it('a cancelled confirmed order is released once; the same release message delivered twice more changes nothing', async () => {
      const goodsId = await newGoods(admin, '10.00', 5);
      const customer = await newCustomer(admin, { balance: '20.00', coupons: ['3.00'] });
      const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 2 }], couponId: customer.couponIds[0], balance: '12.00' });
      assert.equal(placed.body.status, 'CONFIRMED');
      const { orderId } = placed.body;
      const cancelled = await call('POST', `/api/v1/orders/${orderId}/cancel`, { token: customer.token, json: { reason: 'changed my mind' } });
      assert.equal(cancelled.body.status, 'CANCELLED');
      await released(orderId);
      assert.equal(await state.stock(goodsId), 5);
      assert.equal(await state.balance(customer.userId), '20.00');

      // The same message again, twice, as a redelivery would bring it.
      const producer = await MqProducer.start({ ...loadInfraConfig().rocketmq, logger }, [Topics.ORDER_EVENTS]);
      try {
        for (let i = 0; i < 2; i++) {
          await producer.send({
            topic: Topics.ORDER_EVENTS,
            tag: Tags.ORDER_CANCELLED,
            keys: [orderId],
            body: { orderId, userId: customer.userId, reason: 'redelivered' },
          });
        }
      } finally {
        await producer.shutdown();
      }
      // Give the consumers time to receive both; their consume logs keep one row per message key.
      await sleep(4_000);
      assert.deepEqual(await state.consumeLogRows(Tags.ORDER_CANCELLED, orderId), { goods: 1, coupon: 1, user: 1 });
      assert.equal(await state.stock(goodsId), 5);
      assert.deepEqual(await state.coupon(customer.couponIds[0]!), { used: 0, order_id: null });
      assert.equal(await state.balance(customer.userId), '20.00');
      const again = await call('POST', `/api/v1/orders/${orderId}/cancel`, { token: customer.token });
      assert.deepEqual([again.status, again.body.status], [200, 'CANCELLED']);
    });
  });
});
