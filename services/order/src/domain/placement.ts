/**
 * Placing an order: the protocol of docs/architecture.md.
 *
 *   1. validate and price on the server;  2. insert the order PENDING;
 *   3. send the order.cancel half message (the broker now remembers the placement);
 *   4. reserve stock, coupon and balance in parallel, each keyed by the order id;
 *   5. all taken: PENDING -> CONFIRMED (or PAID when nothing is left to pay), roll the half back;
 *      anything failed: PENDING -> CANCELLED, commit the half: the release consumers give back
 *      whatever their own logs say the order took.
 *   6. a crash anywhere after 3 leaves the half message unresolved: the broker's check-back
 *      ({@link checkPlacement}) decides from the order row.
 */
import { createHash } from 'node:crypto';
import { AppError, DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import type { Logger } from '@shop/common/log';
import { type HalfMessage } from '@shop/common/mq';
import { traceHeaders } from '@shop/common/trace';
import { normaliseLines, type OrderLineInput } from '@shop/contracts';
import type { CartRepository, Catalogue, GoodsInfo, NewOrder, OrderRepository, OrderRow, Reservations } from './ports';
import { checkedLines } from './cart';
import { computeAmounts, type AmountRules, type OrderAmounts } from './amounts';
import { orderPaid, payDeadlineTimer } from './order-events';
import { cancelWithin } from './order-moves';
import { fullView, viewOrder, type OrderView } from './order-view';

export interface PlacementDeps {
  store: OrderRepository;
  carts: CartRepository;
  ids: SnowflakeGenerator;
  catalogue: Catalogue;
  reservations: Reservations;
  /** Sends the order.cancel half message of the order. */
  sendCancelHalf(orderId: string, userId: string): Promise<HalfMessage>;
  rules: AmountRules;
  payTimeoutSeconds: number;
  /** PAY_EXPIRY_MARGIN_SECONDS: the deadline timer fires this long after the deadline. */
  payExpiryMarginSeconds: number;
  logger: Logger;
}

export interface PlaceOrderInput {
  userId: string;
  lines: OrderLineInput[];
  /** Order the checked lines of the user's cart (then `lines` must be empty). */
  fromCart: boolean;
  couponId: string;
  balance: string;
  address: string;
  consignee: string;
  idempotencyKey: string;
}

/**
 * What a request asks, as a hash: its lines (merged and sorted) or the cart, coupon, balance and
 * delivery. A key sent again with the same request answers its order; with another request it
 * is refused, so that a corrected form never lands on the order the key placed before (a
 * CANCELLED one, when that attempt was refused).
 */
export function requestHash(input: PlaceOrderInput): string {
  const lines = normaliseLines(input.lines);
  const balance = parseCents(input.balance || '0');
  const asked = {
    lines: input.fromCart ? 'cart' : lines instanceof DomainError ? input.lines : lines,
    couponId: input.couponId,
    balance: balance === undefined ? input.balance : formatCents(balance),
    address: input.address.trim(),
    consignee: input.consignee.trim(),
  };
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex');
}

/** Orders placed before the hash was kept (null) answer any request with their key, as they did. */
const sameRequest = (stored: string | null, input: PlaceOrderInput) => stored === null || stored === requestHash(input);

const keyReused = () => new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for another order request');

/** Test hook run just before the confirm step (see faults.ts); may throw or never return. */
export type BeforeConfirm = (orderId: string) => Promise<void>;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,64}$/;
const PLACEMENT = 'system:placement';

/** The lines asked for, or the cart's checked lines. */
async function linesOf(deps: Pick<PlacementDeps, 'carts'>, input: PriceInput): Promise<OrderLineInput[] | DomainError> {
  if (!input.fromCart) return input.lines;
  if (input.lines.length > 0) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'give either lines or fromCart, not both');
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  return checkedLines(deps.carts, input.userId);
}

/** What pricing needs of a request: the lines (or the cart), the coupon, the balance wanted. */
export type PriceInput = Pick<PlaceOrderInput, 'userId' | 'lines' | 'fromCart' | 'couponId' | 'balance'>;

export interface PricedOrder {
  items: (OrderLineInput & { name: string; price: string })[];
  amounts: OrderAmounts;
  /** The coupon's face value; '0.00' without one. */
  couponAmount: string;
}

/** The request's own checks, before anything is read elsewhere: ids, and the lines normalised. */
async function requestedLines(deps: Pick<PlacementDeps, 'carts'>, input: PriceInput): Promise<OrderLineInput[] | DomainError> {
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  const asked = await linesOf(deps, input);
  if (asked instanceof DomainError) return asked;
  const lines = normaliseLines(asked);
  if (lines instanceof DomainError) return lines;
  if (input.couponId && !isSnowflakeId(input.couponId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid coupon id');
  return lines;
}

/** How strict pricing is: the quote's early word on the coupon, placement's on the stock. */
interface PriceChecks {
  /** Refuse a coupon already used (the quote; placement leaves that to UseCoupon, which decides under its lock). */
  strictCoupon: boolean;
  /**
   * Price from goods read a moment ago when the catalogue kept them (placement: its stock
   * reservation takes the units only at the price used here). The quote reads them now.
   */
  recentGoods: boolean;
  /**
   * Refuse goods read as sold out (placement: before an order row, a message or a reservation
   * exists). The quote prices the form whatever the stock: it moves every second, and the page
   * shows the total and says the shortage when Place order meets it.
   */
  stockAsRead: boolean;
}

/**
 * Prices checked lines on the server, as placement and the quote both do: goods on sale, the
 * coupon the user's own, balance at most what is left to pay; `checks` adds the stricter words.
 */
async function priceLines(
  deps: Pick<PlacementDeps, 'catalogue' | 'rules'>,
  input: PriceInput,
  lines: OrderLineInput[],
  checks: PriceChecks,
): Promise<PricedOrder | DomainError> {
  const goods = await goodsOf(deps.catalogue, lines, checks);
  for (const line of lines) {
    const info = goods.get(line.goodsId);
    if (!info) return new DomainError(ErrorCode.NOT_FOUND, `goods ${line.goodsId} not found`);
    if (!info.onSale) return new DomainError(ErrorCode.INVALID_ARGUMENT, `goods ${line.goodsId} is not on sale`);
    // Sold out as read, worded as the goods service words it (after the last unit of a flash
    // sale, most attempts end here).
    if (checks.stockAsRead && info.stock !== undefined && info.stock < line.quantity)
      return new DomainError(ErrorCode.INSUFFICIENT_STOCK, `not enough stock for goods ${line.goodsId}`, { goodsId: line.goodsId });
  }
  // Only the owner's coupon can price an order; whether it is still unused is UseCoupon's call.
  const coupon = input.couponId ? await deps.catalogue.coupon(input.couponId) : undefined;
  if (input.couponId && coupon?.userId !== input.userId) return new DomainError(ErrorCode.COUPON_UNAVAILABLE, 'coupon not found for this user');
  if (checks.strictCoupon && coupon?.used) return new DomainError(ErrorCode.COUPON_UNAVAILABLE, 'coupon already used');
  const items = lines.map((line) => ({ ...line, name: goods.get(line.goodsId)!.name, price: goods.get(line.goodsId)!.price }));
  const amounts = computeAmounts(items, coupon?.amount, input.balance || '0', deps.rules);
  if (amounts instanceof DomainError) return amounts;
  return { items, amounts, couponAmount: coupon?.amount ?? '0.00' };
}

/**
 * The lines' goods by id. A recent read that would refuse a line (unknown, off sale, short) is
 * not trusted with the refusal: the goods are read again now, and that read decides.
 */
async function goodsOf(catalogue: Catalogue, lines: OrderLineInput[], checks: PriceChecks): Promise<Map<string, GoodsInfo>> {
  const goodsIds = lines.map((line) => line.goodsId);
  const byId = (goods: GoodsInfo[]) => new Map(goods.map((info) => [info.goodsId, info]));
  if (checks.recentGoods) {
    const recent = byId(await catalogue.goods(goodsIds, 'recent'));
    const sellable = (line: OrderLineInput, info = recent.get(line.goodsId)) =>
      info !== undefined && info.onSale && (!checks.stockAsRead || info.stock === undefined || info.stock >= line.quantity);
    if (lines.every((line) => sellable(line))) return recent;
  }
  return byId(await catalogue.goods(goodsIds));
}

function checkDelivery(input: PlaceOrderInput): { address: string; consignee: string } | DomainError {
  const address = input.address.trim();
  const consignee = input.consignee.trim();
  if (address.length < 1 || address.length > 200) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'address must be 1 to 200 characters');
  if (consignee.length < 1 || consignee.length > 50) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'consignee must be 1 to 50 characters');
  return { address, consignee };
}

export interface OrderQuote extends OrderAmounts {
  lines: (OrderLineInput & { name: string; price: string })[];
  couponAmount: string;
  /** The user's balance now; placing takes balancePaid of it. */
  balanceAvailable: string;
}

/** Prices a request as placement would, refusing what it would refuse before reserving; writes nothing. */
export async function quoteOrder(deps: Pick<PlacementDeps, 'carts' | 'catalogue' | 'rules'>, input: PriceInput): Promise<OrderQuote | DomainError> {
  const lines = await requestedLines(deps, input);
  if (lines instanceof DomainError) return lines;
  const priced = await priceLines(deps, input, lines, { strictCoupon: true, stockAsRead: false, recentGoods: false });
  if (priced instanceof DomainError) return priced;
  const balanceAvailable = await deps.catalogue.balance(input.userId);
  if (parseCents(priced.amounts.balancePaid)! > parseCents(balanceAvailable)!)
    return new DomainError(ErrorCode.INSUFFICIENT_BALANCE, `balance too low: ${balanceAvailable} available`);
  return { ...priced.amounts, lines: priced.items, couponAmount: priced.couponAmount, balanceAvailable };
}

/**
 * Places the order. Invariant: when this returns or the process dies, everything the order took
 * is either kept by a CONFIRMED/PAID order or given back exactly once.
 */
export async function placeOrder(deps: PlacementDeps, input: PlaceOrderInput, beforeConfirm?: BeforeConfirm): Promise<OrderView | DomainError> {
  const { store, ids, logger } = deps;
  if (input.idempotencyKey) {
    if (!IDEMPOTENCY_KEY.test(input.idempotencyKey))
      return new DomainError(ErrorCode.INVALID_ARGUMENT, 'idempotency key must be 1 to 64 visible ASCII characters');
    const existing = isSnowflakeId(input.userId) ? await store.findByIdempotencyKey(input.userId, input.idempotencyKey) : undefined;
    if (existing) return sameRequest(existing.request_hash, input) ? viewOrder(store, existing.id) : keyReused();
  }
  const lines = await requestedLines(deps, input);
  if (lines instanceof DomainError) return lines;
  const delivery = checkDelivery(input);
  if (delivery instanceof DomainError) return delivery;
  const priced = await priceLines(deps, input, lines, { strictCoupon: false, stockAsRead: true, recentGoods: true });
  if (priced instanceof DomainError) return priced;
  const { items, amounts } = priced;

  const orderId = ids.next();
  const order: NewOrder & { createdAt: Date } = {
    id: orderId,
    userId: input.userId,
    ...amounts,
    couponId: input.couponId || null,
    address: delivery.address,
    consignee: delivery.consignee,
    idempotencyKey: input.idempotencyKey || null,
    requestHash: input.idempotencyKey ? requestHash(input) : null,
    items,
    createdAt: new Date(),
    traceParent: traceHeaders().traceparent ?? null,
  };
  const inserted = await store.insertPending(order);
  if (!inserted) {
    // A concurrent request with the same key placed its order first.
    const winner = (await store.findByIdempotencyKey(input.userId, input.idempotencyKey))!;
    return sameRequest(winner.request_hash, input) ? viewOrder(store, winner.id) : keyReused();
  }
  const log = logger.child({ orderId });

  let half: HalfMessage;
  try {
    half = await deps.sendCancelHalf(orderId, input.userId);
  } catch (error) {
    // Nothing was reserved yet, so cancelling the row is all there is to undo.
    log.error({ err: error }, 'order.cancel half message not sent; order cancelled');
    await store.transaction((tx) => cancelWithin(store, ids, tx, orderId, 'failPlacement', { actor: PLACEMENT, reason: 'message broker unavailable' }));
    return new DomainError(ErrorCode.UNAVAILABLE, 'orders cannot be placed right now; nothing was charged');
  }

  const failure = await reserveAll(deps, { orderId, userId: input.userId, couponId: input.couponId, items, balancePaid: amounts.balancePaid }, beforeConfirm);
  if (failure) {
    await store.transaction((tx) => cancelWithin(store, ids, tx, orderId, 'failPlacement', { actor: PLACEMENT, reason: failure.message }));
    await resolve(half, 'commit', log);
    log.info({ code: failure.code, reason: failure.message }, 'placement failed; order cancelled, release committed');
    return failure;
  }

  const paidInFull = amounts.payAmount === '0.00';
  const confirmedAt = new Date();
  // Whole seconds, as the column keeps it (a Date replacement is sent without its milliseconds).
  const payDeadline = new Date(Math.floor(confirmedAt.getTime() / 1000 + deps.payTimeoutSeconds) * 1000);
  const confirmed = await store.finishPlacement({
    id: orderId,
    move: paidInFull ? 'payInFull' : 'confirm',
    change: { actor: PLACEMENT, at: confirmedAt, ...(!paidInFull && { payDeadline }) },
    event: {
      id: ids.next(),
      // The broker enforces the deadline on time, whether or not a payment is ever created.
      message: paidInFull
        ? orderPaid({ id: orderId, user_id: input.userId, ...snake(amounts) })
        : payDeadlineTimer(orderId, payDeadline, deps.payExpiryMarginSeconds),
    },
    // Ordered lines leave the cart with the confirmation, never before: a failed checkout keeps them.
    ...(input.fromCart && { cart: { userId: input.userId, lines } }),
  });
  // Not moved: the user cancelled the PENDING order meanwhile; the release must then happen.
  // The answer does not wait for the broker: a resolution that fails or never leaves this process
  // leaves the half message to the check-back, which reads the same verdict from the order row.
  void resolve(half, confirmed ? 'rollback' : 'commit', log);
  log.info({ status: confirmed ? (paidInFull ? 'PAID' : 'CONFIRMED') : 'CANCELLED' }, 'placement finished');
  if (!confirmed) return viewOrder(store, orderId);
  // What was just written, as viewOrder would read it back, without three more round trips.
  const status = paidInFull ? 'PAID' : 'CONFIRMED';
  return fullView(
    { ...placedRow(order), status, pay_deadline: paidInFull ? null : payDeadline },
    items.map((item) => ({ order_id: orderId, goods_id: item.goodsId, name: item.name, price: item.price, quantity: item.quantity })),
    [
      { from_status: null, to_status: 'PENDING', actor: `user:${input.userId}`, reason: null, created_at: order.createdAt },
      { from_status: 'PENDING', to_status: status, actor: PLACEMENT, reason: null, created_at: confirmedAt },
    ],
  );
}

/** The row insertPending writes (the in-memory fake of the unit tests writes it too). */
export function placedRow(order: NewOrder & { createdAt: Date }): OrderRow {
  return {
    id: order.id,
    user_id: order.userId,
    status: 'PENDING',
    goods_amount: order.goodsAmount,
    shipping_fee: order.shippingFee,
    coupon_id: order.couponId,
    coupon_paid: order.couponPaid,
    balance_paid: order.balancePaid,
    pay_amount: order.payAmount,
    address: order.address,
    consignee: order.consignee,
    cancel_reason: null,
    created_at: order.createdAt,
    pay_deadline: null,
    shipped_at: null,
    completed_at: null,
    refunded_amount: '0.00',
    payment_id: null,
    trace_parent: order.traceParent,
  };
}

/** Runs the reservations in parallel; returns the first refusal or failure, undefined when all took. */
async function reserveAll(
  deps: PlacementDeps,
  order: { orderId: string; userId: string; couponId: string; items: PricedOrder['items']; balancePaid: string },
  beforeConfirm: BeforeConfirm | undefined,
): Promise<DomainError | undefined> {
  const { reservations } = deps;
  const { orderId, userId, couponId } = order;
  const stock = order.items.map(({ goodsId, quantity, price }) => ({ goodsId, quantity, price }));
  const steps: Promise<void | DomainError>[] = [
    reservations.reduceStock(orderId, stock).then((refusal) => {
      // A price or a stock that moved since the goods were read: the next placement reads them again.
      if (refusal) deps.catalogue.forgetGoods?.(stock.map((line) => line.goodsId));
      return refusal;
    }),
  ];
  if (couponId) steps.push(reservations.useCoupon(orderId, userId, couponId));
  if (order.balancePaid !== '0.00') steps.push(reservations.reduceBalance(orderId, userId, order.balancePaid));
  const results = await Promise.allSettled(steps);
  for (const result of results) {
    if (result.status === 'fulfilled' && result.value instanceof DomainError) return result.value;
    if (result.status === 'rejected') {
      deps.logger.warn({ err: result.reason, orderId }, 'reservation failed');
      return new DomainError(ErrorCode.UNAVAILABLE, 'a reservation could not be made; nothing was charged');
    }
  }
  try {
    await beforeConfirm?.(orderId);
  } catch (error) {
    return error instanceof AppError
      ? new DomainError(error.code, error.message)
      : new DomainError(ErrorCode.UNAVAILABLE, 'the order could not be confirmed; nothing was charged');
  }
  return undefined;
}

/** Resolves the half message; a failure is only logged: the check-back reaches the same verdict. */
async function resolve(half: HalfMessage, how: 'commit' | 'rollback', log: Logger): Promise<void> {
  try {
    await half[how]();
  } catch (error) {
    log.warn({ err: error, how }, 'half message not resolved; the check-back will decide');
  }
}

function snake(amounts: { balancePaid: string; payAmount: string }) {
  return { balance_paid: amounts.balancePaid, pay_amount: amounts.payAmount };
}
