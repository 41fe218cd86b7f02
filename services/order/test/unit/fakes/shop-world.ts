/**
 * The other services as the order domain sees them (its Catalogue and Reservations ports), and
 * the broker's half messages, in memory: goods with stock, coupons, balances, each reservation
 * idempotent by order id as the real services are, and switches to refuse or fail a service.
 */
import { DomainError, ErrorCode } from '@shop/common/errors';
import type { Logger } from '@shop/common/log';
import { formatCents, parseCents } from '@shop/common/money';
import type { HalfMessage } from '@shop/common/mq';
import type { OrderLineInput } from '@shop/contracts';
import pino from 'pino';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { PlacementDeps } from '../../../src/domain/placement';
import type { Catalogue, GoodsInfo, Reservations } from '../../../src/domain/ports';
import type { MemoryCarts, MemoryOrders } from './memory-repositories';

export const silentLogger: Logger = pino({ level: 'silent' });

export type Party = 'stock' | 'coupon' | 'balance';

export class ShopWorld {
  readonly goods = new Map<string, GoodsInfo & { stock: number }>();
  readonly coupons = new Map<string, { userId: string; amount: string; usedBy?: string }>();
  readonly balances = new Map<string, bigint>();
  /** What each order took, by party: what the release consumers would give back. */
  readonly taken = { stock: new Map<string, OrderLineInput[]>(), coupon: new Map<string, string>(), balance: new Map<string, string>() };
  /** Parties that answer with an error (a service down, a deadline passed). */
  readonly down = new Set<Party>();
  readonly calls: string[] = [];

  addGoods(goodsId: string, price: string, stock: number, onSale = true): this {
    this.goods.set(goodsId, { goodsId, name: `goods ${goodsId.slice(-4)}`, price, onSale, stock });
    return this;
  }

  stockOf(goodsId: string): number {
    return this.goods.get(goodsId)!.stock;
  }

  balanceOf(userId: string): string {
    return formatCents(this.balances.get(userId) ?? 0n);
  }

  /** Whether the catalogue answers the stock (as the goods service does). */
  showsStock = false;

  readonly catalogue: Catalogue = {
    // The stock as read only when a test asks for it: the others exercise refusals at the reservation.
    goods: async (goodsIds) =>
      goodsIds.flatMap((id) => (this.goods.has(id) ? [{ ...this.goods.get(id)!, stock: this.showsStock ? this.goods.get(id)!.stock : undefined }] : [])),
    coupon: async (couponId) => {
      const coupon = this.coupons.get(couponId);
      return coupon && { userId: coupon.userId, amount: coupon.amount, used: coupon.usedBy !== undefined };
    },
    balance: async (userId) => this.balanceOf(userId),
  };

  readonly reservations: Reservations = {
    reduceStock: async (orderId, lines) => {
      this.call('stock', orderId);
      if (this.taken.stock.has(orderId)) return;
      const moved = lines.find((line) => line.price !== this.goods.get(line.goodsId)!.price);
      if (moved) return new DomainError(ErrorCode.PRICE_CHANGED, `the price of goods ${moved.goodsId} is now ${this.goods.get(moved.goodsId)!.price}`);
      const short = lines.find((line) => this.goods.get(line.goodsId)!.stock < line.quantity);
      if (short) return new DomainError(ErrorCode.INSUFFICIENT_STOCK, `not enough stock for goods ${short.goodsId}`);
      for (const line of lines) this.goods.get(line.goodsId)!.stock -= line.quantity;
      this.taken.stock.set(orderId, lines);
    },
    useCoupon: async (orderId, userId, couponId) => {
      this.call('coupon', orderId);
      const coupon = this.coupons.get(couponId);
      if (coupon?.usedBy === orderId) return;
      if (!coupon || coupon.userId !== userId || coupon.usedBy) return new DomainError(ErrorCode.COUPON_UNAVAILABLE, 'coupon already used');
      coupon.usedBy = orderId;
      this.taken.coupon.set(orderId, couponId);
    },
    reduceBalance: async (orderId, userId, amount) => {
      this.call('balance', orderId);
      if (this.taken.balance.has(orderId)) return;
      const cents = parseCents(amount)!;
      if ((this.balances.get(userId) ?? 0n) < cents) return new DomainError(ErrorCode.INSUFFICIENT_BALANCE, 'balance too low');
      this.balances.set(userId, this.balances.get(userId)! - cents);
      this.taken.balance.set(orderId, amount);
    },
  };

  private call(party: Party, orderId: string): void {
    this.calls.push(`${party}:${orderId}`);
    if (this.down.has(party)) throw new Error(`${party} service unavailable`);
  }
}

/** The broker's side of the order.cancel half messages: how each was resolved, if it was. */
export class FakeBroker {
  readonly halves = new Map<string, { userId: string; resolution?: 'commit' | 'rollback' }>();
  failSend = false;
  failResolve = false;

  readonly sendCancelHalf = async (orderId: string, userId: string): Promise<HalfMessage> => {
    if (this.failSend) throw new Error('broker unavailable');
    const half: { userId: string; resolution?: 'commit' | 'rollback' } = { userId };
    this.halves.set(orderId, half);
    const resolve = (resolution: 'commit' | 'rollback') => async () => {
      if (this.failResolve) throw new Error('resolution lost');
      half.resolution = resolution;
    };
    return { messageId: `half-${orderId}`, commit: resolve('commit'), rollback: resolve('rollback') };
  };

  resolutionOf(orderId: string): 'commit' | 'rollback' | undefined {
    return this.halves.get(orderId)?.resolution;
  }
}

/** The placement wired to the fakes, as main.ts wires it to SQL, RPC and RocketMQ (shipping 8.00 under 99.00, 300 s to pay). */
export function placementDeps(parts: {
  orders: MemoryOrders;
  carts: MemoryCarts;
  world: ShopWorld;
  broker: FakeBroker;
  ids: SnowflakeGenerator;
}): PlacementDeps {
  return {
    store: parts.orders,
    carts: parts.carts,
    ids: parts.ids,
    catalogue: parts.world.catalogue,
    reservations: parts.world.reservations,
    sendCancelHalf: parts.broker.sendCancelHalf,
    rules: { freeShippingThreshold: '99.00', shippingFee: '8.00' },
    payTimeoutSeconds: 300,
    payExpiryMarginSeconds: 10,
    logger: silentLogger,
  };
}
