/**
 * The ports of the user domain: what it needs of its database, as an interface the SQL store
 * implements (store/user-store.ts). Balance and points move only by conditional UPDATEs plus a
 * log row there.
 */
import type { ReleaseLedger } from '@shop/common/db';
import type { Transaction } from 'sequelize';

/** A database transaction: the domain only hands it back to the repository. */
export type Tx = Transaction;

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  /** 'CUSTOMER' or 'ADMIN'. */
  role: string;
  /** Decimal string. */
  balance: string;
  /** Integer string. */
  points: string;
}

export type MoneyType = 'REDUCE' | 'RELEASE' | 'REFUND' | 'RECHARGE';
export type PointsType = 'ADD' | 'DEDUCT';

/** The users with their balance and points, and the logs of every movement of either. */
export interface UserRepository {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The order's reservation ledger: released orders, and tombstones of orders released before their balance was taken. */
  readonly releases: Pick<ReleaseLedger, 'reserveOnce' | 'releaseOnce'>;
  /** Inserts a user with no balance and no points; false when the username is taken. */
  insertUser(row: { id: string; username: string; passwordHash: string; role: string }): Promise<boolean>;
  /** Reads the user (within the transaction when one is given; no lock). */
  findUser(id: string, tx?: Tx): Promise<UserRow | undefined>;
  findByUsername(username: string): Promise<UserRow | undefined>;
  /** Records a balance movement; false when its (user, type, ref) was recorded before (a repeat). */
  recordMoney(tx: Tx, row: { id: string; userId: string; orderId: string | null; type: MoneyType; ref: string; amount: string }): Promise<boolean>;
  /** The movements of one type recorded for an order (locked until commit). */
  moneyOfOrder(tx: Tx, orderId: string, type: MoneyType): Promise<{ user_id: string; amount: string }[]>;
  /** Takes `amount` if the balance covers it; false (nothing changed) otherwise. */
  takeBalance(tx: Tx, userId: string, amount: string): Promise<boolean>;
  /** Adds `amount` to the balance; false when there is no such user. */
  addBalance(tx: Tx, userId: string, amount: string): Promise<boolean>;
  /** Records a points movement; false when its (user, type, ref) was recorded before (a repeat). */
  recordPoints(tx: Tx, row: { id: string; userId: string; orderId: string; type: PointsType; ref: string; points: string }): Promise<boolean>;
  /** Adds points; false when there is no such user. */
  addPoints(tx: Tx, userId: string, points: string): Promise<boolean>;
  /** What the order added and what refunds took back (its log rows locked); added undefined: never added. */
  pointsOfOrder(tx: Tx, orderId: string): Promise<{ added: bigint | undefined; deducted: bigint }>;
  /** Takes back `points`, never below zero. */
  takePoints(tx: Tx, userId: string, points: string): Promise<void>;
}
