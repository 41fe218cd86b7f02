/** Points: added once per paid order, taken back once per refund (never below zero). */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { Tx, UserRepository } from './ports';

export interface PointsChange {
  applied: boolean;
  points: string;
}

const MAX_POINTS = 10n ** 12n;

function validPoints(points: string): boolean {
  return /^[1-9]\d{0,12}$/.test(points) && BigInt(points) <= MAX_POINTS;
}

async function pointsOf(store: UserRepository, userId: string, tx: Tx): Promise<string> {
  return (await store.findUser(userId, tx))?.points ?? '0';
}

/** Adds points for a paid order; a repeat for the order adds nothing. */
export async function addPoints(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { orderId: string; userId: string; points: string },
): Promise<PointsChange | DomainError> {
  const { orderId, userId, points } = input;
  if (!isSnowflakeId(orderId) || !isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  if (!validPoints(points)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'points must be a positive integer');
  return withDeadlockRetry(() =>
    store.transaction(async (tx) => {
      if (!(await store.findUser(userId, tx))) return new DomainError(ErrorCode.NOT_FOUND, `user ${userId} not found`);
      return addPointsWithin(store, ids, tx, { orderId, userId, points });
    }),
  );
}

/** The addition inside a caller's transaction (the order.paid consumer's, with its consume log). */
export async function addPointsWithin(
  store: UserRepository,
  ids: SnowflakeGenerator,
  tx: Tx,
  input: { orderId: string; userId: string; points: string },
): Promise<PointsChange> {
  const { orderId, userId, points } = input;
  const recorded = await store.recordPoints(tx, { id: ids.next(), userId, orderId, type: 'ADD', ref: orderId, points });
  if (recorded) await store.addPoints(tx, userId, points);
  return { applied: recorded, points: await pointsOf(store, userId, tx) };
}

/**
 * Takes back points for a refund, once per refund id: never more in all than the order added
 * (the rest of the request is dropped), never below zero. The order's points must have been
 * added first (order.paid may still be on its way): until then the refund is refused with
 * ORDER_STATE, and the pay service asks again later, so that points added late are not kept.
 */
export async function deductPoints(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { refundId: string; orderId: string; userId: string; points: string },
): Promise<PointsChange | DomainError> {
  const { refundId, orderId, userId, points } = input;
  if (!isSnowflakeId(orderId) || !isSnowflakeId(userId) || !/^[A-Za-z0-9_.:-]{1,64}$/.test(refundId)) {
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid refund, order or user id');
  }
  if (!validPoints(points)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'points must be a positive integer');
  return withDeadlockRetry(() =>
    store.transaction(async (tx) => {
      const moved = await store.pointsOfOrder(tx, orderId);
      if (moved.added === undefined) return new DomainError(ErrorCode.ORDER_STATE, `the points of order ${orderId} were not added yet`);
      const left = moved.added - moved.deducted;
      const take = BigInt(points) < left ? BigInt(points) : left;
      const recorded = await store.recordPoints(tx, { id: ids.next(), userId, orderId, type: 'DEDUCT', ref: refundId, points: take.toString() });
      if (recorded && take > 0n) await store.takePoints(tx, userId, take.toString());
      return { applied: recorded, points: await pointsOf(store, userId, tx) };
    }),
  );
}
