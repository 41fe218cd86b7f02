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
  /** When an admin banned the user; null while not banned. */
  banned_at: Date | null;
  ban_reason: string | null;
  created_at: Date;
}

/**
 * REDUCE (an order took), RELEASE (a cancelled order's back), REFUND, RECHARGE (an admin's
 * top-up, no reason), ADJUST_ADD and ADJUST_TAKE (an admin's adjustment with a reason).
 */
export type MoneyType = 'REDUCE' | 'RELEASE' | 'REFUND' | 'RECHARGE' | 'ADJUST_ADD' | 'ADJUST_TAKE';

/** The movements an admin made: recharges and adjustments. */
export const ADMIN_MONEY_TYPES: readonly MoneyType[] = ['RECHARGE', 'ADJUST_ADD', 'ADJUST_TAKE'];

/** A line of user_money_log that an admin made (RECHARGE, ADJUST_ADD, ADJUST_TAKE). */
export interface AdjustmentRow {
  type: MoneyType;
  /** Positive decimal string; the type says which way. */
  amount: string;
  reason: string | null;
  operator_id: string | null;
  /** Null on rows written before balance_after was recorded. */
  balance_after: string | null;
  created_at: Date;
}

export interface AddressRow {
  id: string;
  user_id: string;
  recipient: string;
  phone: string;
  region: string;
  line: string;
  /** 1 for the user's default address, 0 otherwise. */
  is_default: number;
}

export interface AddressFields {
  recipient: string;
  phone: string;
  region: string;
  line: string;
}
export type PointsType = 'ADD' | 'DEDUCT';

/** One balance movement as recorded: an admin's also says who, why and the balance it leaves. */
export interface MoneyMovement {
  id: string;
  userId: string;
  orderId: string | null;
  type: MoneyType;
  ref: string;
  amount: string;
  operatorId?: string;
  reason?: string;
  balanceAfter?: string;
}

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
  /** Reads the user and locks their row until the transaction ends (what every admin change and address book change serialises on). */
  lockUser(tx: Tx, id: string): Promise<UserRow | undefined>;
  /** A page of users whose username contains `query`, newest first, and how many match. */
  listUsers(offset: number, limit: number, query: string): Promise<{ rows: UserRow[]; total: number }>;
  /**
   * Records a balance movement; false when its (user, type, ref) was recorded before (a repeat).
   * An admin's movement also records who, why and the balance it leaves.
   */
  recordMoney(tx: Tx, row: MoneyMovement): Promise<boolean>;
  /** The admin movement (RECHARGE, ADJUST_ADD or ADJUST_TAKE) recorded for the user under `ref`, if any. */
  findAdminMovement(tx: Tx, userId: string, types: readonly MoneyType[], ref: string): Promise<AdjustmentRow | undefined>;
  /** The user's admin movements (recharges and adjustments), newest first, at most `limit`. */
  listAdminMovements(userId: string, limit: number): Promise<AdjustmentRow[]>;
  /** Sets the ban (with its reason and who) or lifts it, and logs the change with who and why (an empty reason: none). The caller holds the row's lock. */
  setBan(tx: Tx, row: { logId: string; userId: string; operatorId: string; banned: boolean; reason: string }): Promise<void>;
  /** The movements of one type recorded for an order (locked until commit). */
  moneyOfOrder(tx: Tx, orderId: string, type: MoneyType): Promise<{ user_id: string; amount: string }[]>;
  /** Takes `amount` if the balance covers it; false (nothing changed) otherwise. */
  takeBalance(tx: Tx, userId: string, amount: string): Promise<boolean>;
  /**
   * A new order's balance reservation (a REDUCE movement) in two round trips: its ledger row, the
   * movement recorded and the balance taken, committed only if the balance covered it (the
   * balance left then answered), else nothing kept. 'opened before' when the order has its ledger
   * row already, or the movement was recorded before: nothing written.
   */
  takeBalanceAtOnce(movement: MoneyMovement & { orderId: string }): Promise<{ taken: true; balance: string } | { taken: false } | 'opened before'>;
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

  /** The user's addresses, the default first, then newest first (within the transaction when one is given). */
  listAddresses(userId: string, tx?: Tx): Promise<AddressRow[]>;
  /** The address if it is the user's. */
  findAddress(userId: string, addressId: string, tx?: Tx): Promise<AddressRow | undefined>;
  /** The address the user created with this request id, if any. */
  findAddressByRequest(tx: Tx, userId: string, requestId: string): Promise<AddressRow | undefined>;
  /** Inserts an address (the caller holds the user's row lock and keeps the default rule). */
  insertAddress(tx: Tx, row: AddressFields & { id: string; userId: string; isDefault: boolean; requestId: string | null }): Promise<void>;
  /** Replaces the fields of one of the user's addresses. */
  updateAddress(tx: Tx, userId: string, addressId: string, fields: AddressFields): Promise<void>;
  /** Makes `addressId` the user's only default (null: none is). */
  setDefaultAddress(tx: Tx, userId: string, addressId: string | null): Promise<void>;
  /** Removes one of the user's addresses; false when there was none. */
  deleteAddress(tx: Tx, userId: string, addressId: string): Promise<boolean>;
}
