/**
 * The invariants checked once the system settled: no cent, unit, coupon or point lost or
 * invented. Each is computed from the orders (what was bought and paid) and the refunds' holds
 * (what was given back), and compared with what each service holds and what the channels kept.
 * A violation names the rows that break it.
 */
import { formatCents, parseCents } from '@shop/common/money';
import type { Fixture } from './fixtures';
import { consumedKey, type HoldRow, type OrderRow, type Snapshot } from './snapshot';

export interface InvariantResult {
  name: string;
  checked: number;
  violations: string[];
}

const cents = (amount: string | null | undefined) => parseCents(amount ?? '0') ?? 0n;
const LIVE_AFTER_PAYMENT = new Set(['PAID', 'SHIPPED', 'COMPLETED', 'REFUNDED']);
/** The consumer groups of the services (clustering: one per service). */
const GROUP = { goods: 'shop-goods', coupon: 'shop-coupon', user: 'shop-user', order: 'shop-order', pay: 'shop-pay' } as const;

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/** Orders that keep what they took: every one but the cancelled (and PENDING, which must not remain). */
const isLive = (order: OrderRow) => order.status !== 'CANCELLED' && order.status !== 'PENDING';

export function checkInvariants(snapshot: Snapshot, fixture: Fixture): InvariantResult[] {
  const results: InvariantResult[] = [];
  const check = (name: string, items: number, violations: string[]) => results.push({ name, checked: items, violations });
  const succeeded = snapshot.holds.filter((hold) => hold.status === 'SUCCEEDED');
  const holdsOf = groupBy(succeeded, (hold) => hold.order_id);
  const itemsOf = groupBy(snapshot.items, (item) => item.order_id);
  const sumHolds = (orderId: string, pick: (hold: HoldRow) => bigint) => (holdsOf.get(orderId) ?? []).reduce((total, hold) => total + pick(hold), 0n);

  check(
    'no order left PENDING',
    snapshot.orders.length,
    snapshot.orders.filter((order) => order.status === 'PENDING').map((order) => `order ${order.id} PENDING`),
  );
  check(
    'no CONFIRMED order past its pay deadline',
    snapshot.orders.length,
    snapshot.orders
      .filter((order) => order.status === 'CONFIRMED' && order.pay_deadline && order.pay_deadline.getTime() < snapshot.takenAt)
      .map((order) => `order ${order.id} CONFIRMED, deadline ${order.pay_deadline!.toISOString()}`),
  );
  check('no refund unfinished', snapshot.refunds.length + snapshot.holds.length, [
    ...snapshot.refunds
      .filter((refund) => refund.status === 'PENDING')
      .map((refund) => `refund ${refund.id} (${refund.kind}) of order ${refund.order_id} PENDING: ${refund.last_error ?? ''}`),
    ...snapshot.holds.filter((hold) => hold.status === 'OPEN').map((hold) => `hold of refund ${hold.refund_id} (order ${hold.order_id}) OPEN`),
  ]);

  // Stock: what live orders hold, less what their refunds gave back, is what is missing from the shelf.
  const unitsOut = new Map<string, number>();
  for (const order of snapshot.orders.filter(isLive)) {
    for (const item of itemsOf.get(order.id) ?? []) unitsOut.set(item.goods_id, (unitsOut.get(item.goods_id) ?? 0) + item.quantity);
    for (const hold of holdsOf.get(order.id) ?? []) {
      for (const line of JSON.parse(hold.restock) as { goodsId: string; quantity: number }[])
        unitsOut.set(line.goodsId, (unitsOut.get(line.goodsId) ?? 0) - line.quantity);
    }
  }
  check(
    'per goods: stock taken = units held by live orders',
    fixture.goods.length,
    fixture.goods.flatMap((goods) => {
      const stock = snapshot.goods.find((row) => row.id === goods.goodsId)?.stock;
      const expected = goods.initialStock - (unitsOut.get(goods.goodsId) ?? 0);
      return stock === expected
        ? []
        : [
            `goods ${goods.goodsId}${goods.hot ? ' (hot)' : ''}: stock ${stock}, expected ${expected} (${goods.initialStock} - ${unitsOut.get(goods.goodsId) ?? 0} held)`,
          ];
    }),
  );

  const ordersOf = groupBy(snapshot.orders, (order) => order.user_id);
  check(
    'per user: balance moved = balance paid by live orders - balance refunded',
    fixture.customers.length,
    fixture.customers.flatMap((customer) => {
      const orders = (ordersOf.get(customer.userId) ?? []).filter(isLive);
      const expected =
        cents(customer.initialBalance) -
        orders.reduce((total, order) => total + cents(order.balance_paid) - sumHolds(order.id, (hold) => cents(hold.balance_amount)), 0n);
      const balance = snapshot.users.find((user) => user.id === customer.userId)?.balance;
      return cents(balance) === expected ? [] : [`user ${customer.userId}: balance ${balance}, expected ${formatCents(expected)}`];
    }),
  );
  check(
    'per user: points = points earned on paid orders - points taken back',
    fixture.customers.length,
    fixture.customers.flatMap((customer) => {
      const paid = (ordersOf.get(customer.userId) ?? []).filter((order) => LIVE_AFTER_PAYMENT.has(order.status));
      const expected = paid.reduce(
        (total, order) => total + (cents(order.balance_paid) + cents(order.pay_amount)) / 100n - sumHolds(order.id, (hold) => BigInt(hold.points)),
        0n,
      );
      const points = snapshot.users.find((user) => user.id === customer.userId)?.points;
      return BigInt(points ?? '-1') === expected ? [] : [`user ${customer.userId}: ${points} points, expected ${expected}`];
    }),
  );

  // Coupons: used by exactly the live order that names it (unless a full refund before shipment freed it).
  const holder = new Map<string, OrderRow>();
  for (const order of snapshot.orders) {
    const freed = (holdsOf.get(order.id) ?? []).some((hold) => hold.release_coupon === 1);
    if (order.coupon_id && isLive(order) && !freed) holder.set(order.coupon_id, order);
  }
  check(
    'each used coupon held by exactly its one live order, every other coupon free',
    snapshot.coupons.length,
    snapshot.coupons.flatMap((coupon) => {
      const order = holder.get(coupon.id);
      if (order)
        return coupon.used === 1 && coupon.order_id === order.id
          ? []
          : [`coupon ${coupon.id}: should be used by order ${order.id} (${order.status}), is ${coupon.used ? `used by ${coupon.order_id}` : 'free'}`];
      return coupon.used === 0 ? [] : [`coupon ${coupon.id}: used by order ${coupon.order_id}, which does not hold it`];
    }),
  );

  // Money: what the channels kept for each payment is what its order says was paid and not
  // refunded, all of it on the payment the order took, nothing on any other (a payment of another
  // channel, after a switch, or any payment of a cancelled order).
  const orderById = new Map(snapshot.orders.map((order) => [order.id, order]));
  const paidAtChannel = (paymentId: string) => Boolean(snapshot.trades.get(paymentId)?.paidAt);
  /** The payment the order took: the one it names (orders paid before it was recorded: the one its channel was paid on). */
  const takenBy = (order: OrderRow) => order.payment_id ?? snapshot.payments.find((payment) => payment.order_id === order.id && paidAtChannel(payment.id))?.id;
  check(
    'per payment: money kept at its channel = paid and not refunded on the payment its order took, 0 on any other',
    snapshot.payments.length,
    snapshot.payments.flatMap((payment) => {
      const order = orderById.get(payment.order_id)!;
      const trade = snapshot.trades.get(payment.id);
      const kept = trade?.paidAt ? cents(trade.totalAmount) - cents(trade.refundedAmount) : 0n;
      const takes = isLive(order) && LIVE_AFTER_PAYMENT.has(order.status) && takenBy(order) === payment.id;
      const expected = takes ? cents(order.pay_amount) - sumHolds(order.id, (hold) => cents(hold.alipay_amount)) : 0n;
      const problems: string[] = [];
      if (kept !== expected)
        problems.push(
          `payment ${payment.id} (${payment.channel}) of order ${order.id} (${order.status}, took ${takenBy(order) ?? 'none'}): kept ${formatCents(kept)}, expected ${formatCents(expected)}`,
        );
      if (trade?.paidAt && cents(trade.refundedAmount) !== cents(payment.refunded_amount))
        problems.push(`payment ${payment.id} (${payment.channel}): refunded ${payment.refunded_amount} here, ${trade.refundedAmount} at its channel`);
      return problems;
    }),
  );
  check(
    'every paid live order was paid through its channel, on the payment it names',
    snapshot.orders.length,
    snapshot.orders
      .filter((order) => LIVE_AFTER_PAYMENT.has(order.status) && cents(order.pay_amount) > 0n)
      .filter((order) => {
        const taken = takenBy(order);
        return !taken || !paidAtChannel(taken) || !snapshot.payments.some((payment) => payment.id === taken && payment.order_id === order.id);
      })
      .map(
        (order) =>
          `order ${order.id} ${order.status} with ${order.pay_amount} to pay, and no payment of it that its channel took (names ${order.payment_id ?? 'none'})`,
      ),
  );

  check(
    'every outbox row sent',
    snapshot.unsentOutbox.length,
    snapshot.unsentOutbox.map((row) => `${row.schema}.mq_producer_log ${row.id} (${row.tag}) unsent`),
  );

  const missing: string[] = [];
  for (const order of snapshot.orders.filter((o) => o.status === 'CANCELLED')) {
    for (const group of [GROUP.goods, GROUP.coupon, GROUP.user, GROUP.pay]) {
      if (!snapshot.consumed.has(consumedKey(group, 'order.cancelled', order.id))) missing.push(`order.cancelled of ${order.id} not consumed by ${group}`);
    }
  }
  for (const payment of snapshot.payments.filter((p) => p.status === 'PAID' || p.status === 'REFUNDED')) {
    const announced = snapshot.paymentAnnouncements.get(payment.id) ?? 0;
    if (announced !== 1) missing.push(`payment ${payment.id} announced ${announced} times (pay.succeeded)`);
    for (const group of [GROUP.order, GROUP.pay])
      if (!snapshot.consumed.has(consumedKey(group, 'pay.succeeded', payment.id))) missing.push(`pay.succeeded of ${payment.id} not consumed by ${group}`);
  }
  for (const order of snapshot.orders.filter((o) => LIVE_AFTER_PAYMENT.has(o.status))) {
    if (!snapshot.consumed.has(consumedKey(GROUP.user, 'order.paid', order.id))) missing.push(`order.paid of ${order.id} not consumed by ${GROUP.user}`);
  }
  check('every message announced once and consumed by every group, once', snapshot.orders.length + snapshot.payments.length, missing);
  return results;
}
