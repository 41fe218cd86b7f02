/**
 * Balance: recharged by an admin, taken by orders, given back by releases and refunds. Every
 * movement is a user_money_log row unique per (user, type, ref), written in the same transaction
 * as the conditional UPDATE it records.
 */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
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

/** Adds to the balance; the same request id adds once. */
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
      if (!(await store.findUser(input.userId, tx))) return new DomainError(ErrorCode.NOT_FOUND, `user ${input.userId} not found`);
      const id = ids.next();
      const recorded = await store.recordMoney(tx, { id, userId: input.userId, orderId: null, type: 'RECHARGE', ref: input.requestId || id, amount });
      if (recorded) await store.addBalance(tx, input.userId, amount);
      return { applied: recorded, balance: await balanceOf(store, tx, input.userId) };
    }),
  );
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
  return store.releases.reserveOnce(orderId, {
    released: () => new DomainError(ErrorCode.RELEASED, `order ${orderId} was released; no balance is taken`),
    repeat: async (tx) => ({ applied: false, balance: await balanceOf(store, tx, userId) }),
    async take(tx, refuse) {
      const recorded = await store.recordMoney(tx, { id: ids.next(), userId, orderId, type: 'REDUCE', ref: orderId, amount });
      if (!recorded) return { applied: false, balance: await balanceOf(store, tx, userId) };
      // The log row is written first; a shortfall rolls it back with the transaction.
      if (!(await store.takeBalance(tx, userId, amount))) refuse(new DomainError(ErrorCode.INSUFFICIENT_BALANCE, 'balance too low'));
      return { applied: true, balance: await balanceOf(store, tx, userId) };
    },
  });
}

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
