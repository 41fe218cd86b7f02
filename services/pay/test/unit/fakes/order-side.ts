/**
 * The other services as the pay domain sees them, in memory: the order service (its orders as
 * OrderFacts, and its refund holds with the rules of services/order/src/domain/refund-holds.ts,
 * simplified: one open hold per order, never more than was paid, the Alipay part first) and the
 * user, goods and coupon services that a refund's steps call, each idempotent by refund id as
 * the real ones are. Switches make a party fail, and count who was asked what.
 */
import { AppError, DomainError, ErrorCode } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, minCents, parseCents } from '@shop/common/money';
import type { PayRefundFinishedEvent } from '@shop/contracts';
import type { OrderFacts, OrderReader, Plan, RefundLine, RefundParties } from '../../../src/domain/ports';

export type Party = 'hold' | 'balance' | 'points' | 'stock' | 'coupon' | 'finish';

export interface FakeOrder extends OrderFacts {
  items: RefundLine[];
  couponId: string | null;
}

interface Hold {
  orderId: string;
  plan: Plan;
  status: 'OPEN' | 'SUCCEEDED' | 'FAILED';
}

const cents = (amount: string) => parseCents(amount)!;

export class OrderSide implements OrderReader {
  readonly orders = new Map<string, FakeOrder>();
  readonly holds = new Map<string, Hold>();
  /** What each refund gave back, by party (refund id -> what): once each. */
  readonly given = { balance: new Map<string, string>(), points: new Map<string, string>(), stock: new Map<string, RefundLine[]>() };
  readonly couponsReleased = new Set<string>();
  readonly finished: PayRefundFinishedEvent[] = [];
  /** Every call as "party:id", in order (repeats included). */
  readonly calls: string[] = [];
  /** Parties that fail (a service down, a deadline passed). */
  readonly down = new Set<Party>();

  constructor(private readonly ids: SnowflakeGenerator) {}

  /** A CONFIRMED order of `payAmount` due through Alipay, its pay deadline `deadlineInMs` from now. */
  addOrder(userId: string, payAmount: string, options: Partial<FakeOrder> & { deadlineInMs?: number } = {}): FakeOrder {
    const { deadlineInMs = 15 * 60_000, ...rest } = options;
    const order: FakeOrder = {
      orderId: this.ids.next(),
      userId,
      status: 'CONFIRMED',
      payAmount,
      balancePaid: '0.00',
      payDeadline: new Date(Date.now() + deadlineInMs).toISOString(),
      refundedAmount: '0.00',
      items: [],
      couponId: null,
      ...rest,
    };
    this.orders.set(order.orderId, order);
    return order;
  }

  readOrder = async (orderId: string, userId: string): Promise<OrderFacts> => {
    const order = this.orders.get(orderId);
    // As the RPC does: another user's order is a missing one ('' user: anyone's).
    if (!order || (userId && order.userId !== userId)) throw new AppError(ErrorCode.NOT_FOUND, `order ${orderId} not found`);
    const { status, payAmount, balancePaid, payDeadline, refundedAmount } = order;
    return { orderId, userId: order.userId, status, payAmount, balancePaid, payDeadline, refundedAmount };
  };

  readonly parties: RefundParties = {
    holdRefund: async (request) => {
      this.call('hold', request.refundId);
      const existing = this.holds.get(request.refundId);
      if (existing) return existing.plan;
      const plan = this.plan(request);
      if (!(plan instanceof DomainError)) this.holds.set(request.refundId, { orderId: request.orderId, plan, status: 'OPEN' });
      return plan;
    },
    refundBalance: async ({ refundId, amount }) => {
      this.call('balance', refundId);
      if (!this.given.balance.has(refundId)) this.given.balance.set(refundId, amount);
    },
    deductPoints: async ({ refundId, points }) => {
      this.call('points', refundId);
      if (!this.given.points.has(refundId)) this.given.points.set(refundId, points);
    },
    returnStock: async ({ refundId, lines }) => {
      this.call('stock', refundId);
      if (!this.given.stock.has(refundId)) this.given.stock.set(refundId, lines);
    },
    releaseCoupon: async (orderId) => {
      this.call('coupon', orderId);
      this.couponsReleased.add(orderId);
    },
    finishRefund: async (finished) => {
      this.call('finish', finished.refundId);
      this.finishHold(finished);
    },
  };

  /** What pay.refund-finished does at the order service: the hold ends, a succeeded refund counts. */
  finishHold(finished: PayRefundFinishedEvent): void {
    const hold = this.holds.get(finished.refundId);
    if (!hold || hold.status !== 'OPEN') return;
    hold.status = finished.status;
    this.finished.push(finished);
    if (finished.status !== 'SUCCEEDED') return;
    const order = this.orders.get(hold.orderId)!;
    order.refundedAmount = formatCents(cents(order.refundedAmount) + cents(hold.plan.amount));
    if (hold.plan.completesOrder) order.status = 'REFUNDED';
  }

  callsTo(party: Party): string[] {
    return this.calls.filter((call) => call.startsWith(`${party}:`));
  }

  private call(party: Party, id: string): void {
    this.calls.push(`${party}:${id}`);
    if (this.down.has(party)) throw new Error(`${party} service unavailable`);
  }

  /** The order's rules for a refund (refund-holds.ts planHold), for what the pay domain relies on. */
  private plan(request: Parameters<RefundParties['holdRefund']>[0]): Plan | DomainError {
    const order = this.orders.get(request.orderId);
    if (!order || (request.userId && order.userId !== request.userId)) return new DomainError(ErrorCode.NOT_FOUND, `order ${request.orderId} not found`);
    const beforeShipment = request.kind === 'CUSTOMER';
    if (beforeShipment ? order.status !== 'PAID' : order.status !== 'SHIPPED' && order.status !== 'COMPLETED')
      return new DomainError(ErrorCode.ORDER_STATE, `order is ${order.status}`);
    const holds = [...this.holds.values()].filter((hold) => hold.orderId === order.orderId);
    if (holds.some((hold) => hold.status === 'OPEN')) return new DomainError(ErrorCode.REFUND_IN_PROGRESS, 'another refund of this order is in progress');
    const done = holds.filter((hold) => hold.status === 'SUCCEEDED').map((hold) => hold.plan);
    const sum = (pick: (plan: Plan) => string) => done.reduce((total, plan) => total + cents(pick(plan)), 0n);

    const left = cents(order.payAmount) + cents(order.balancePaid) - sum((plan) => plan.amount);
    const amount = request.amount ? cents(request.amount) : left;
    if (amount <= 0n || amount > left) return new DomainError(ErrorCode.INVALID_ARGUMENT, `at most ${formatCents(left)} can still be refunded`);
    const completes = amount === left;
    const alipay = minCents(amount, cents(order.payAmount) - sum((plan) => plan.alipayAmount));
    const pointsLeft = (cents(order.payAmount) + cents(order.balancePaid)) / 100n - done.reduce((total, plan) => total + BigInt(plan.points), 0n);
    return {
      amount: formatCents(amount),
      alipayAmount: formatCents(alipay),
      balanceAmount: formatCents(amount - alipay),
      points: (completes ? pointsLeft : minCents(amount / 100n, pointsLeft)).toString(),
      restock: beforeShipment ? (completes ? order.items : request.lines) : [],
      releaseCoupon: beforeShipment && completes && order.couponId !== null,
      completesOrder: completes,
    };
  }
}
