/** Reading orders and moving them through their life after placement. */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { OrderRepository, OrderRow, RefundHoldRepository, StatusChange } from './ports';
import { orderMachine, type OrderMove, type OrderStatus } from './order-status';
import { cancelWithin } from './order-moves';
import { viewOrder, withItems, type OrderView } from './order-view';

const MAX_PAGE_SIZE = 100;

/** The order if it exists and, when `userId` is given, belongs to that user (else NOT_FOUND). */
async function ownedOrder(store: OrderRepository, orderId: string, userId: string): Promise<OrderRow | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  if (userId && !isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  const row = await store.findOrder(orderId);
  // Another user's order answers like a missing one: order ids cannot be probed.
  if (!row || (userId && row.user_id !== userId)) return new DomainError(ErrorCode.NOT_FOUND, `order ${orderId} not found`);
  return row;
}

export async function getOrder(store: OrderRepository, orderId: string, userId: string): Promise<OrderView | DomainError> {
  const row = await ownedOrder(store, orderId, userId);
  return row instanceof DomainError ? row : viewOrder(store, row.id);
}

/**
 * A user's orders (or, with an empty user id, every user's: the admin's list), newest first.
 * Attempts refused at placement stay out of a user's list unless asked for; the admin's list
 * always has them.
 */
export async function listOrders(
  store: OrderRepository,
  input: { userId: string; status: OrderStatus | undefined; page: number; size: number; includeRefused: boolean; createdFrom: string; createdTo: string },
): Promise<{ orders: OrderView[]; total: number } | DomainError> {
  if (input.userId && !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  const page = input.page || 1;
  const size = input.size || 20;
  if (page < 1 || page > 10_000 || size < 1 || size > MAX_PAGE_SIZE)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `page must be 1 to 10000 and size 1 to ${MAX_PAGE_SIZE}`);
  const createdFrom = input.createdFrom ? new Date(input.createdFrom) : undefined;
  const createdTo = input.createdTo ? new Date(input.createdTo) : undefined;
  if ((createdFrom && Number.isNaN(createdFrom.getTime())) || (createdTo && Number.isNaN(createdTo.getTime())))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'createdFrom and createdTo must be ISO-8601 times');
  const filter = { userId: input.userId || undefined, status: input.status, includeRefused: input.includeRefused || !input.userId, createdFrom, createdTo };
  const { rows, total } = await store.listOrders(filter, (page - 1) * size, size);
  return { orders: await withItems(store, rows), total };
}

/**
 * Cancels an unpaid order (PENDING or CONFIRMED -> CANCELLED), announcing order.cancelled in the
 * same transaction for the release consumers, and for the pay service, which closes the order's
 * open trade (a payment that still lands is refunded). A PENDING placement still in flight then
 * fails its confirm and commits its half message; the release ledgers release once in all.
 * Cancelling a cancelled order changes nothing.
 */
export async function cancelOrder(
  store: OrderRepository,
  ids: SnowflakeGenerator,
  input: { orderId: string; userId: string; reason: string; operatorId?: string },
): Promise<OrderView | DomainError> {
  const row = await ownedOrder(store, input.orderId, input.userId);
  if (row instanceof DomainError) return row;
  const reason = input.reason.trim().slice(0, 200) || (input.userId ? 'cancelled by the user' : 'cancelled by the shop');
  const actor = input.userId ? `user:${input.userId}` : input.operatorId ? `admin:${input.operatorId}` : 'system:admin';
  const change = { actor, reason };
  await store.transaction((tx) => cancelWithin(store, ids, tx, row.id, 'cancel', change));
  const now = (await store.findOrder(row.id))!;
  if (now.status !== 'CANCELLED') return new DomainError(ErrorCode.ORDER_STATE, `order is ${now.status}; only unpaid orders can be cancelled`);
  return viewOrder(store, row.id);
}

/** A move that repeats harmlessly: already where the move leads answers the order as it is. */
async function advance(
  store: OrderRepository,
  input: { orderId: string; userId: string },
  move: OrderMove,
  change: StatusChange,
): Promise<OrderView | DomainError> {
  const row = await ownedOrder(store, input.orderId, input.userId);
  if (row instanceof DomainError) return row;
  await store.transition(undefined, row.id, move, change);
  const now = (await store.findOrder(row.id))!;
  const { from, to } = orderMachine.moves[move];
  if (now.status !== to) return new DomainError(ErrorCode.ORDER_STATE, `order is ${now.status}; expected ${from.join(' or ')}`);
  return viewOrder(store, row.id);
}

/**
 * Admin: PAID -> SHIPPED; the automatic completion counts from now. Not while a refund of the
 * order is open: the refund gives the stock back on the understanding that nothing shipped
 * (both take the order's row lock first, so they cannot interleave).
 */
export async function shipOrder(
  store: OrderRepository,
  refunds: RefundHoldRepository,
  input: { orderId: string; operatorId: string },
): Promise<OrderView | DomainError> {
  if (input.operatorId && !isSnowflakeId(input.operatorId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid operator id');
  const row = await ownedOrder(store, input.orderId, '');
  if (row instanceof DomainError) return row;
  const refused = await store.transaction(async (tx) => {
    const order = (await store.lockOrder(tx, row.id))!;
    if (order.status === orderMachine.moves.ship.to) return undefined;
    if (!orderMachine.can('ship', order.status)) return new DomainError(ErrorCode.ORDER_STATE, `order is ${order.status}; expected PAID`);
    if ((await refunds.holdsOf(tx, order.id)).some((hold) => hold.status === 'OPEN'))
      return new DomainError(ErrorCode.REFUND_IN_PROGRESS, 'a refund of this order is in progress; ship it once the refund has finished');
    await store.transition(tx, order.id, 'ship', { actor: input.operatorId ? `admin:${input.operatorId}` : 'system:admin' });
    return undefined;
  });
  return refused ?? viewOrder(store, row.id);
}

/** The owner confirms receipt: SHIPPED -> COMPLETED. */
export function confirmReceipt(store: OrderRepository, input: { orderId: string; userId: string }): Promise<OrderView | DomainError> {
  return advance(store, input, 'receive', { actor: `user:${input.userId}` });
}

/**
 * Completes a SHIPPED order nobody confirmed within the configured days (the buyer's silence
 * counts as receipt, as on the big marketplaces). False when it moved meanwhile.
 */
export function completeUnconfirmed(store: OrderRepository, orderId: string, days: number): Promise<boolean> {
  return store.transition(undefined, orderId, 'receive', { actor: 'system:auto-complete', reason: `receipt not confirmed within ${days} days of shipping` });
}
