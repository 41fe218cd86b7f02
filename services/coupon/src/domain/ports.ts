/**
 * The ports of the coupon domain: what it needs of its database, as an interface the SQL store
 * implements (store/coupon-store.ts). A coupon is taken and freed by conditional UPDATEs there.
 */
import type { ReleaseLedger } from '@shop/common/db';
import type { Transaction } from 'sequelize';

/** A database transaction: the domain only hands it back to the repository. */
export type Tx = Transaction;

export interface CouponRow {
  id: string;
  user_id: string;
  /** Decimal string, like 10.00. */
  amount: string;
  /** 1 used, 0 not. */
  used: number;
  /** The order using it, while used. */
  order_id: string | null;
}

/** The coupons, each used by one order at most. */
export interface CouponRepository {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The order's reservation ledger: released orders, and tombstones of orders released before they used a coupon. */
  readonly releases: Pick<ReleaseLedger, 'reserveOnce' | 'releaseOnce'>;
  /** Inserts an unused coupon; `requestId` is unique (a second insert with it fails). */
  insertCoupon(row: { id: string; userId: string; amount: string; requestId: string | null }): Promise<void>;
  /** The coupon granted with this request id, if any. */
  findByGrantRequest(requestId: string): Promise<CouponRow | undefined>;
  /** Reads the coupon; with a transaction, locks its row until the transaction ends. */
  findCoupon(id: string, tx?: Tx): Promise<CouponRow | undefined>;
  /** The user's coupons, used or not, by id. */
  listUserCoupons(userId: string): Promise<CouponRow[]>;
  /** Marks the coupon used by the order if it is unused; false (nothing changed) otherwise. */
  take(tx: Tx, couponId: string, orderId: string): Promise<boolean>;
  /** Frees the coupon the order used; its id, or undefined when the order used none. */
  freeUsedBy(tx: Tx, orderId: string): Promise<string | undefined>;
}
