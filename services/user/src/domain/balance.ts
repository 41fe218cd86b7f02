/**
 * Balance: recharged and adjusted by admins, taken by orders, given back by releases and refunds. Every
 * movement is a user_money_log row unique per (user, type, ref), written in the same transaction
 * as the conditional UPDATE it records.
 */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode, refusable, refuse } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import { toUser, type User } from './accounts';
import type { Tx, UserRepository } from './ports';

export interface MoneyChange {
  applied: boolean;
  balance: string;
}

const REF = /^[A-Za-z0-9_.:-]{1,64}$/;

function positiveAmount(amount: string): string | DomainError {
  const cents = parseCents(amount);
  if (cents === undefined || cents <= 0n)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'amount must be a positive decimal with at most two places, like 10.00');
  return formatCents(cents);
}

async function balanceOf(store: UserRepository, tx: Tx, userId: string): Promise<string> {
  const row = await store.findUser(userId, tx);
  return row ? formatCents(parseCents(row.balance)!) : '0.00';
}

/** The largest balance a DECIMAL(14,2) column holds. */
const MAX_BALANCE_CENTS = 99_999_999_999_999n;

/** Adds to the balance; the same request id adds once. The log row records the balance it leaves. */
export async function recharge(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { requestId: string; userId: string; amount: string },
): Promise<MoneyChange | DomainError> {
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (input.requestId && !REF.test(input.requestId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid request id');
  const amount = positiveAmount(input.amount);
  if (amount instanceof DomainError) return amount;
  return withDeadlockRetry(() =>
    store.transaction(async (tx) => {
      const row = await store.lockUser(tx, input.userId);
      if (!row) return new DomainError(ErrorCode.NOT_FOUND, `user ${input.userId} not found`);
      const after = parseCents(row.balance)! + parseCents(amount)!;
      const id = ids.next();
      const ref = input.requestId || id;
      if (after > MAX_BALANCE_CENTS) {
        // A repeat of a recharge that was applied answers as it did; a new one would not fit.
        if (await store.findAdminMovement(tx, input.userId, ['RECHARGE'], ref)) return { applied: false, balance: formatCents(parseCents(row.balance)!) };
        return new DomainError(ErrorCode.INVALID_ARGUMENT, 'the balance cannot exceed 999999999999.99');
      }
      const recorded = await store.recordMoney(tx, {
        id,
        userId: input.userId,
        orderId: null,
        type: 'RECHARGE',
        ref,
        amount,
        balanceAfter: formatCents(after),
      });
      if (recorded) await store.addBalance(tx, input.userId, amount);
      return { applied: recorded, balance: await balanceOf(store, tx, input.userId) };
    }),
  );
}

/** An admin's adjustment as the console lists it: signed amount, reason, who, and the balance it left. */
export interface Adjustment {
  /** Signed: "50.00" added, "-12.50" taken. */
  amount: string;
  /** Empty for a recharge (which has none). */
  reason: string;
  /** Empty for a recharge. */
  operatorId: string;
  /** Empty when it was not recorded (movements older than the column). */
  balanceAfter: string;
  createdAt: string;
}

const ADJUSTMENT_TYPES = ['ADJUST_ADD', 'ADJUST_TAKE'] as const;
const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;
const SIGNED_AMOUNT = /^-?[0-9.]+$/;
const REASON_MAX = 200;

/** "50.00" or "-12.50" into signed cents; undefined unless a non-zero amount with at most two places. */
function signedCents(amount: string): bigint | undefined {
  if (!SIGNED_AMOUNT.test(amount)) return undefined;
  const negative = amount.startsWith('-');
  const cents = parseCents(negative ? amount.slice(1) : amount);
  if (cents === undefined || cents === 0n) return undefined;
  return negative ? -cents : cents;
}

/**
 * An admin's adjustment of a balance: adds (positive) or takes (negative), with a reason, under
 * the user's row lock. Invariants: the balance never goes below zero (INSUFFICIENT_BALANCE,
 * nothing changed); one movement per (user, request id): a repeat answers the user as they are,
 * and the same request id with another amount or reason is refused (IDEMPOTENCY_KEY_REUSED). The
 * movement is a user_money_log row (ADJUST_ADD or ADJUST_TAKE, amount positive, ref = the request
 * id) with the operator, the reason and the balance it leaves: one log for every movement.
 */
export async function adjustBalance(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { requestId: string; userId: string; operatorId: string; amount: string; reason: string },
): Promise<User | DomainError> {
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (!isSnowflakeId(input.operatorId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid operator id');
  if (!REQUEST_ID.test(input.requestId))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a request id (Idempotency-Key) of 1 to 64 visible characters is required');
  const delta = signedCents(input.amount);
  if (delta === undefined)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'amount must be a non-zero decimal with at most two places, like 50.00 or -12.50');
  const reason = input.reason.trim();
  if (reason.length === 0 || [...reason].length > REASON_MAX)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `a reason of 1 to ${REASON_MAX} characters is required`);
  const type = delta > 0n ? 'ADJUST_ADD' : 'ADJUST_TAKE';
  const amount = formatCents(delta > 0n ? delta : -delta);
  const done = await refusable(
    withDeadlockRetry(() =>
      store.transaction(async (tx) => {
        const row = await store.lockUser(tx, input.userId);
        if (!row) return refuse(ErrorCode.NOT_FOUND, `user ${input.userId} not found`);
        // Under the row lock, so a concurrent repeat waits here and then finds the first one.
        const earlier = await store.findAdminMovement(tx, input.userId, ADJUSTMENT_TYPES, input.requestId);
        if (earlier) {
          if (earlier.type !== type || earlier.amount !== amount || (earlier.reason ?? '') !== reason) {
            refuse(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for another adjustment; use a new key');
          }
          return { applied: false };
        }
        const after = parseCents(row.balance)! + delta;
        if (after < 0n) refuse(ErrorCode.INSUFFICIENT_BALANCE, `the balance is ${formatCents(parseCents(row.balance)!)}; cannot take ${amount}`);
        if (after > MAX_BALANCE_CENTS) refuse(ErrorCode.INVALID_ARGUMENT, 'the balance cannot exceed 999999999999.99');
        await store.recordMoney(tx, {
          id: ids.next(),
          userId: input.userId,
          orderId: null,
          type,
          ref: input.requestId,
          amount,
          operatorId: input.operatorId,
          reason,
          balanceAfter: formatCents(after),
        });
        const moved = delta > 0n ? await store.addBalance(tx, input.userId, amount) : await store.takeBalance(tx, input.userId, amount);
        if (!moved) throw new Error(`balance of user ${input.userId} did not move under its row lock`);
        return { applied: true };
      }),
    ),
  );
  if (done instanceof DomainError) return done;
  return toUser((await store.findUser(input.userId))!);
}

/** How many of a user's recharges and adjustments the console is shown, newest first. */
export const ADJUSTMENTS_SHOWN = 100;

/** Admin: the user's recharges and adjustments, newest first (the latest ADJUSTMENTS_SHOWN). */
export async function listAdjustments(store: UserRepository, userId: string): Promise<Adjustment[] | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (!(await store.findUser(userId))) return new DomainError(ErrorCode.NOT_FOUND, `user ${userId} not found`);
  return (await store.listAdminMovements(userId, ADJUSTMENTS_SHOWN)).map((row) => ({
    amount: row.type === 'ADJUST_TAKE' ? `-${row.amount}` : row.amount,
    reason: row.reason ?? '',
    operatorId: row.operator_id ?? '',
    balanceAfter: row.balance_after ?? '',
    createdAt: row.created_at.toISOString(),
  }));
}

/**
 * Takes `amount` of the user's balance for the order. Invariants: the balance never goes
 * negative; an order takes balance once (a repeat changes nothing); an order already released
 * takes nothing (RELEASED). The order's ledger row is written first, so a concurrent release of
 * the same order waits for this transaction.
 */
export async function reduceBalance(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { orderId: string; userId: string; amount: string },
): Promise<MoneyChange | DomainError> {
  const { orderId, userId } = input;
  if (!isSnowflakeId(orderId) || !isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  const amount = positiveAmount(input.amount);
  if (amount instanceof DomainError) return amount;
  const movement = { id: ids.next(), userId, orderId, type: 'REDUCE' as const, ref: orderId, amount };
  // A new order, the common case: two round trips. One seen before (a repeat, a tombstone) goes
  // the whole way below, which answers it from the ledger and the log.
  const quick = await store.takeBalanceAtOnce(movement);
  if (quick !== 'opened before') {
    if (!quick.taken) return tooLow();
    return { applied: true, balance: formatCents(parseCents(quick.balance)!) };
  }
  return store.releases.reserveOnce(orderId, {
    released: () => new DomainError(ErrorCode.RELEASED, `order ${orderId} was released; no balance is taken`),
    repeat: async (tx) => ({ applied: false, balance: await balanceOf(store, tx, userId) }),
    async take(tx, refuse) {
      const recorded = await store.recordMoney(tx, movement);
      if (!recorded) return { applied: false, balance: await balanceOf(store, tx, userId) };
      // The log row is written first; a shortfall rolls it back with the transaction.
      if (!(await store.takeBalance(tx, userId, amount))) refuse(tooLow());
      return { applied: true, balance: await balanceOf(store, tx, userId) };
    },
  });
}

const tooLow = () => new DomainError(ErrorCode.INSUFFICIENT_BALANCE, 'balance too low');

/**
 * Without a refund id: releases the order (gives back what its REDUCE row took, once; leaves a
 * tombstone when it took nothing). With a refund id: gives back `amount` once per refund id,
 * never more in all than the order took.
 */
export async function refundBalance(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { orderId: string; userId: string; refundId: string; amount: string },
): Promise<MoneyChange | DomainError> {
  const { orderId, userId, refundId } = input;
  if (!isSnowflakeId(orderId) || !isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  if (!refundId) {
    return withDeadlockRetry(() =>
      store.transaction(async (tx) => ({
        applied: (await releaseBalanceWithin(store, ids, tx, orderId)).released !== '0.00',
        balance: await balanceOf(store, tx, userId),
      })),
    );
  }
  if (!REF.test(refundId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid refund id');
  const amount = positiveAmount(input.amount);
  if (amount instanceof DomainError) return amount;
  return withDeadlockRetry(() =>
    store
      .transaction(async (tx) => {
        const taken = sum(await store.moneyOfOrder(tx, orderId, 'REDUCE'));
        const givenBack = sum(await store.moneyOfOrder(tx, orderId, 'REFUND')) + sum(await store.moneyOfOrder(tx, orderId, 'RELEASE'));
        const recorded = await store.recordMoney(tx, { id: ids.next(), userId, orderId, type: 'REFUND', ref: refundId, amount });
        if (!recorded) return { applied: false, balance: await balanceOf(store, tx, userId) };
        if (givenBack + parseCents(amount)! > taken) throw new RefundTooLarge();
        await store.addBalance(tx, userId, amount);
        return { applied: true, balance: await balanceOf(store, tx, userId) };
      })
      .catch((error: unknown) => {
        if (error instanceof RefundTooLarge) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'refund exceeds the balance the order took');
        throw error;
      }),
  );
}

/** The release inside a caller's transaction (the release consumer's, with its consume log). */
export async function releaseBalanceWithin(store: UserRepository, ids: SnowflakeGenerator, tx: Tx, orderId: string): Promise<{ released: string }> {
  const nothing = { released: '0.00' };
  return store.releases.releaseOnce(
    tx,
    orderId,
    async () => {
      const [taken] = await store.moneyOfOrder(tx, orderId, 'REDUCE');
      if (!taken) return nothing;
      // Refunds already given for this order are not given twice.
      const remaining = parseCents(taken.amount)! - sum(await store.moneyOfOrder(tx, orderId, 'REFUND'));
      if (remaining <= 0n) return nothing;
      const amount = formatCents(remaining);
      await store.recordMoney(tx, { id: ids.next(), userId: taken.user_id, orderId, type: 'RELEASE', ref: orderId, amount });
      await store.addBalance(tx, taken.user_id, amount);
      return { released: amount };
    },
    nothing,
  );
}

function sum(rows: { amount: string }[]): bigint {
  return rows.reduce((total, row) => total + parseCents(row.amount)!, 0n);
}

class RefundTooLarge extends Error {}
