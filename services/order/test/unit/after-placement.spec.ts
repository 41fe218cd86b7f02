/**
 * What happens to an order after its placement, against in-memory ports: the broker's check-back
 * of an unresolved half message, the pay deadline, and payments that arrive late.
 */
import assert from 'node:assert/strict';
import { SnowflakeGenerator } from '@shop/common/ids';
import { Tags } from '@shop/contracts';
import { acceptPaymentWithin } from '../../src/domain/order-moves';
import {
  applySettlementWithin,
  askAboutOverdueOrder,
  DeadlineNotReached,
  settleOverdueOrder,
  type Settlement,
  type SettlementAnswer,
} from '../../src/domain/pay-deadline';
import { checkPlacement } from '../../src/domain/placement-check';
import { viewOrder } from '../../src/domain/order-view';
import type { OrderMove } from '../../src/domain/order-status';
import { orderIn } from '../support/orders';
import { Clock, MemoryOrders } from './fakes/memory-repositories';

const ids = new SnowflakeGenerator(9);
const PLACEMENT_DEADLINE_MS = 60_000;

const statusOf = async (orders: MemoryOrders, id: string) => (await orders.findOrder(id))?.status;

describe('the placement check-back (unit)', () => {
  it('commits the release of a CANCELLED order and rolls back that of a confirmed one', async () => {
    const orders = new MemoryOrders();
    assert.equal(await checkPlacement(orders, ids, await orderIn(orders, ['failPlacement']), PLACEMENT_DEADLINE_MS), 'COMMIT');
    assert.equal(await checkPlacement(orders, ids, await orderIn(orders, ['confirm']), PLACEMENT_DEADLINE_MS), 'ROLLBACK');
    assert.equal(await checkPlacement(orders, ids, await orderIn(orders, ['payInFull']), PLACEMENT_DEADLINE_MS), 'ROLLBACK');
    assert.equal(await checkPlacement(orders, ids, await orderIn(orders, ['confirm', 'pay', 'ship']), PLACEMENT_DEADLINE_MS), 'ROLLBACK');
  });

  it('rolls back the half message of an order that does not exist: it took nothing', async () => {
    assert.equal(await checkPlacement(new MemoryOrders(), ids, ids.next(), PLACEMENT_DEADLINE_MS), 'ROLLBACK');
  });

  it('asks again about a young PENDING order, and cancels it once past the placement deadline', async () => {
    const clock = new Clock();
    const orders = new MemoryOrders(clock);
    const id = await orderIn(orders, []);
    assert.equal(await checkPlacement(orders, ids, id, PLACEMENT_DEADLINE_MS), 'UNKNOWN');
    assert.equal(await statusOf(orders, id), 'PENDING');
    clock.advance(PLACEMENT_DEADLINE_MS + 1);
    assert.equal(await checkPlacement(orders, ids, id, PLACEMENT_DEADLINE_MS), 'COMMIT');
    assert.equal(await statusOf(orders, id), 'CANCELLED');
    assert.deepEqual(
      orders.outbox.map((m) => m.tag),
      [Tags.ORDER_CANCELLED],
    );
    const history = await orders.history(id);
    assert.equal(history.at(-1)!.actor, 'system:check-back');
    // Asked again (the commit was lost): the same verdict, nothing announced twice.
    assert.equal(await checkPlacement(orders, ids, id, PLACEMENT_DEADLINE_MS), 'COMMIT');
    assert.equal(orders.outbox.length, 1);
  });
});

describe('the pay deadline (unit)', () => {
  /** The pay service answering `answer`; PAID names the payment `paymentId`. */
  const pay = (answer: Settlement, paymentId = ids.next()) => ({
    asked: 0,
    async settle(): Promise<SettlementAnswer> {
      this.asked++;
      return answer === 'PAID' ? { settlement: answer, paymentId } : { settlement: answer };
    },
  });

  it('does not ask about an order whose deadline is ahead: the timer comes back later', async () => {
    const orders = new MemoryOrders();
    const id = await orderIn(orders, ['confirm'], { payDeadline: new Date(Date.now() + 60_000) });
    await assert.rejects(askAboutOverdueOrder({ store: orders, ids, pay: pay('CLOSED') }, id), DeadlineNotReached);
  });

  it('does not ask about an order that moved on', async () => {
    const orders = new MemoryOrders();
    const answers = pay('CLOSED');
    const id = await orderIn(orders, ['confirm', 'pay'], { payDeadline: new Date(Date.now() - 1) });
    assert.equal(await askAboutOverdueOrder({ store: orders, ids, pay: answers }, id), undefined);
    assert.equal(answers.asked, 0);
  });

  const outcomes: [Settlement, string | undefined, string[]][] = [
    ['NO_PAYMENT', 'CANCELLED', [Tags.ORDER_CANCELLED]],
    ['CLOSED', 'CANCELLED', [Tags.ORDER_CANCELLED]],
    ['PAID', 'PAID', [Tags.ORDER_PAID]],
    ['OPEN', 'OPEN', []],
  ];
  for (const [answer, status, announced] of outcomes) {
    it(`a pay service answering ${answer} leaves the order ${status}`, async () => {
      const orders = new MemoryOrders();
      const id = await orderIn(orders, ['confirm'], { payDeadline: new Date(Date.now() - 1) });
      assert.equal(await settleOverdueOrder({ store: orders, ids, pay: pay(answer) }, id, 'system:test'), status);
      assert.deepEqual(
        orders.outbox.map((m) => m.tag),
        announced,
      );
    });
  }

  it('a payment that got there first stands against a late CLOSED answer', async () => {
    const orders = new MemoryOrders();
    const id = await orderIn(orders, ['confirm', 'pay']);
    const status = await orders.transaction((tx) =>
      applySettlementWithin({ store: orders, ids, pay: pay('CLOSED') }, tx, id, { settlement: 'CLOSED' }, 'system:test'),
    );
    assert.equal(status, 'PAID');
    assert.deepEqual(orders.outbox, []);
  });

  it('records the payment a PAID answer names: its late pay.succeeded is the same payment, any other is refunded', async () => {
    const orders = new MemoryOrders();
    const id = await orderIn(orders, ['confirm'], { payDeadline: new Date(Date.now() - 1) });
    const paymentId = ids.next();
    assert.equal(await settleOverdueOrder({ store: orders, ids, pay: pay('PAID', paymentId) }, id, 'system:test'), 'PAID');
    assert.equal((await orders.findOrder(id))?.payment_id, paymentId);
    const other = ids.next();
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, { paymentId, orderId: id })), 'ALREADY_PAID');
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, { paymentId: other, orderId: id })), 'REJECTED');
    assert.deepEqual(
      orders.outbox.map((m) => [m.tag, m.keys[0]]),
      [
        [Tags.ORDER_PAID, id],
        [Tags.ORDER_PAYMENT_REJECTED, other],
      ],
    );
  });
});

describe('a payment arriving (unit)', () => {
  const payment = (orderId: string) => ({ paymentId: ids.next(), orderId });

  it('makes a CONFIRMED order PAID and announces its points (floor of balance + amount paid)', async () => {
    const orders = new MemoryOrders();
    const id = await orderIn(orders, ['confirm']);
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, payment(id))), 'PAID');
    assert.deepEqual(
      orders.outbox.map((m) => [m.tag, (m.body as { points: string }).points]),
      [[Tags.ORDER_PAID, '10']],
    );
  });

  const paidMoves = [
    ['confirm', 'pay'],
    ['confirm', 'pay', 'ship'],
    ['confirm', 'pay', 'ship', 'receive'],
    ['confirm', 'pay', 'refundInFull'],
  ] as OrderMove[][];

  it('records the payment that paid the order, and takes it seen again as the same payment', async () => {
    const orders = new MemoryOrders();
    const id = await orderIn(orders, ['confirm']);
    const paid = payment(id);
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, paid)), 'PAID');
    assert.equal((await orders.findOrder(id))?.payment_id, paid.paymentId);
    assert.equal((await viewOrder(orders, id)).paymentId, paid.paymentId, 'the order shows it');
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, paid)), 'ALREADY_PAID');
    for (const moves of paidMoves) {
      const seenAgain = { paymentId: paid.paymentId, orderId: await orderIn(orders, moves, { paymentId: paid.paymentId }) };
      assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, seenAgain)), 'ALREADY_PAID', moves.join());
    }
    assert.deepEqual(
      orders.outbox.map((m) => m.tag),
      [Tags.ORDER_PAID],
    );
  });

  it('rejects, and so refunds, another payment of an order paid already (the buyer switched channels and both took money)', async () => {
    const orders = new MemoryOrders();
    const id = await orderIn(orders, ['confirm']);
    const [first, second] = [payment(id), payment(id)];
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, first)), 'PAID');
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, second)), 'REJECTED');
    assert.equal((await orders.findOrder(id))?.payment_id, first.paymentId, 'the first payment stays the one that paid it');
    const rejected = [[Tags.ORDER_PAYMENT_REJECTED, second.paymentId, id, 'PAID']];
    for (const moves of paidMoves.slice(1)) {
      const later = await orderIn(orders, moves, { paymentId: first.paymentId });
      const other = payment(later);
      assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, other)), 'REJECTED', moves.join());
      rejected.push([Tags.ORDER_PAYMENT_REJECTED, other.paymentId, later, (await statusOf(orders, later))!]);
    }
    assert.deepEqual(
      orders.outbox
        .filter((m) => m.tag !== Tags.ORDER_PAID)
        .map((m) => {
          const body = m.body as { paymentId: string; orderId: string; orderStatus: string };
          return [m.tag, body.paymentId, body.orderId, body.orderStatus];
        }),
      rejected,
    );
  });

  it('is the same payment seen again for an order paid before payments were recorded (no payment id)', async () => {
    const orders = new MemoryOrders();
    for (const moves of paidMoves) {
      const id = await orderIn(orders, moves);
      assert.equal((await orders.findOrder(id))?.payment_id, null);
      assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, payment(id))), 'ALREADY_PAID', moves.join());
    }
    assert.deepEqual(orders.outbox, []);
  });

  it('waits (the message comes back) while the order is still PENDING', async () => {
    const orders = new MemoryOrders();
    const id = await orderIn(orders, []);
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, payment(id))), 'NOT_YET');
  });

  it('is rejected, and so refunded, for a CANCELLED order or one that does not exist', async () => {
    const orders = new MemoryOrders();
    const cancelled = payment(await orderIn(orders, ['confirm', 'expire']));
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, cancelled)), 'REJECTED');
    const missing = payment(ids.next());
    assert.equal(await orders.transaction((tx) => acceptPaymentWithin(orders, ids, tx, missing)), 'REJECTED');
    assert.deepEqual(
      orders.outbox.map((m) => [m.tag, m.keys[0], (m.body as { orderStatus: string }).orderStatus]),
      [
        [Tags.ORDER_PAYMENT_REJECTED, cancelled.paymentId, 'CANCELLED'],
        [Tags.ORDER_PAYMENT_REJECTED, missing.paymentId, 'MISSING'],
      ],
    );
  });
});
