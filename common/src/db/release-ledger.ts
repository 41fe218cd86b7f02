/**
 * The reservation ledger of a service that reserves something for orders (stock, a coupon,
 * balance): one row per order, TAKEN when a reservation took something, RELEASED once the order
 * was released. Both sides write the row first, keyed by the order id:
 *
 * - a release happens once: the second one finds the row RELEASED;
 * - a release that comes first leaves the row RELEASED with nothing taken: the tombstone of an
 *   order released before its reservation arrived (a timed-out RPC still in flight), which the
 *   reservation then finds and refuses;
 * - a reservation and a release of the same order serialise on that one primary key, whatever
 *   the isolation level: the second INSERT waits for the first transaction and then sees its
 *   row. (The earlier design relied on REPEATABLE READ gap locks taken by a locking read of a
 *   missing row; under READ COMMITTED there are none, and a late reservation slipped past a
 *   release. common/test/release-ledger.spec.ts races the two under READ COMMITTED.)
 *
 * Rows of orders released before this ledger knew TAKEN have status RELEASED too; reservations
 * taken before it have TAKEN rows backfilled by {@link reservationLedgerMigration}.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { DomainError, refusable, refuse } from '../errors';
import { withDeadlockRetry } from './deadlock-retry';
import { insertUnique, isDuplicateKey } from './insert-unique';
import { runInTwoTrips, type Statement } from './one-trip';
import type { Migration } from './migrations';

/** What a reservation should do: take now, treat the call as a repeat, or refuse it. */
export type ReserveVerdict = 'take' | 'repeat' | 'released';

/** The three outcomes of a reservation, as the service words them. */
export interface ReservationSteps<Taken> {
  /**
   * Takes what the order needs, inside the transaction that opened its ledger row. A refusal
   * (a shortage, a coupon used already) is `refuse(error)`: it rolls back the row and whatever
   * was taken so far, and the reservation answers the error.
   */
  take(tx: Transaction, refuse: (refusal: DomainError) => never): Promise<Taken>;
  /** The order took already: what a repeated call answers. */
  repeat(tx: Transaction): Promise<Taken>;
  /** The order was released before its reservation arrived (a tombstone): take nothing. */
  released(): DomainError;
}

export class ReleaseLedger {
  constructor(
    private readonly sequelize: Sequelize,
    /** e.g. goods_order_release; created by {@link releaseLedgerMigration}. */
    readonly table: string,
  ) {}

  /**
   * Opens the order's reservation inside the reservation's transaction. 'take': the row is new,
   * take what the order needs (throw to roll the row back with a refusal); 'repeat': the order
   * took already; 'released': the order was released first, take nothing.
   */
  async reserve(tx: Transaction, orderId: string): Promise<ReserveVerdict> {
    const { sql, values } = this.takenRow(orderId);
    if (await insertUnique(this.sequelize, sql, values!, tx)) return 'take';
    return (await this.lockedStatus(tx, orderId)) === 'RELEASED' ? 'released' : 'repeat';
  }

  private takenRow(orderId: string): Statement {
    return { sql: `INSERT INTO ${this.table} (order_id, status, taken_at) VALUES (?, 'TAKEN', UTC_TIMESTAMP(3))`, values: [orderId] };
  }

  /**
   * The common case of a reservation, a new order, in two round trips (one-trip.ts) instead of
   * one per statement: the order's ledger row and the `take` statements, then COMMIT when
   * `took(results of take)` says everything was taken, ROLLBACK otherwise (a shortage: the row
   * goes with the rest, as a refusal of reserveOnce does). 'opened before' when the order has
   * its ledger row already (a repeat, or a tombstone of a release that came first): nothing was
   * written, and reserveOnce answers it the whole way. Repeated on a deadlock.
   */
  reserveInTwoTrips(
    orderId: string,
    take: Statement[],
    took: (results: unknown[]) => boolean | Promise<boolean>,
  ): Promise<{ results: unknown[]; taken: boolean } | 'opened before'> {
    return withDeadlockRetry(async () => {
      try {
        const { results, committed } = await runInTwoTrips(this.sequelize, [this.takenRow(orderId), ...take], (all) => took(all.slice(1)));
        return { results: results.slice(1), taken: committed };
      } catch (error) {
        // The ledger row is the one unique key a new reservation meets first.
        if (isDuplicateKey(error)) return 'opened before';
        throw error;
      }
    });
  }

  /**
   * A whole reservation of the order, the same in every service that reserves: one transaction
   * (repeated on a deadlock) that opens the order's ledger row first, so that a concurrent
   * release of the order waits for it, then takes, repeats or refuses.
   */
  reserveOnce<Taken>(orderId: string, steps: ReservationSteps<Taken>): Promise<Taken | DomainError> {
    return withDeadlockRetry(() =>
      refusable(
        this.sequelize.transaction(async (tx): Promise<Taken | DomainError> => {
          const verdict = await this.reserve(tx, orderId);
          if (verdict === 'released') return steps.released();
          return verdict === 'repeat' ? steps.repeat(tx) : steps.take(tx, (refusal) => refuse(refusal));
        }),
      ),
    );
  }

  /**
   * The release of the order inside the caller's transaction, once: `giveBack` runs only for
   * the first release (it gives back what the service's own log says the order took, possibly
   * nothing); a repeat answers `repeated`.
   */
  async releaseOnce<Released>(tx: Transaction, orderId: string, giveBack: () => Promise<Released>, repeated: Released): Promise<Released> {
    return (await this.recordRelease(tx, orderId)) ? giveBack() : repeated;
  }

  /** The order's row as committed, without a lock: undefined when the order never reserved nor was released. */
  async statusOf(orderId: string): Promise<'TAKEN' | 'RELEASED' | undefined> {
    const [row] = await this.sequelize.query<{ status: 'TAKEN' | 'RELEASED' }>(`SELECT status FROM ${this.table} WHERE order_id = ?`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
    });
    return row?.status;
  }

  /** True when the order was released already (locks its row until commit). */
  async isReleased(tx: Transaction, orderId: string): Promise<boolean> {
    return (await this.lockedStatus(tx, orderId)) === 'RELEASED';
  }

  /**
   * Records the release; false when the order was released before (nothing more to do). True:
   * give back what the service's own log says the order took (possibly nothing: a tombstone).
   */
  async recordRelease(tx: Transaction, orderId: string): Promise<boolean> {
    const inserted = await insertUnique(
      this.sequelize,
      `INSERT INTO ${this.table} (order_id, status, released_at) VALUES (?, 'RELEASED', UTC_TIMESTAMP(3))`,
      [orderId],
      tx,
    );
    if (inserted) return true;
    if ((await this.lockedStatus(tx, orderId)) === 'RELEASED') return false;
    await this.sequelize.query(`UPDATE ${this.table} SET status = 'RELEASED', released_at = UTC_TIMESTAMP(3) WHERE order_id = ?`, {
      replacements: [orderId],
      transaction: tx,
    });
    return true;
  }

  private async lockedStatus(tx: Transaction, orderId: string): Promise<'TAKEN' | 'RELEASED' | undefined> {
    const [row] = await this.sequelize.query<{ status: 'TAKEN' | 'RELEASED' }>(`SELECT status FROM ${this.table} WHERE order_id = ? FOR UPDATE`, {
      replacements: [orderId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return row?.status;
  }
}

/** The ledger's table as first created (release rows only); services may add columns later. */
export function releaseLedgerMigration(id: string, table: string): Migration {
  return {
    id,
    async up({ sequelize }) {
      await sequelize.query(`
        CREATE TABLE IF NOT EXISTS ${table} (
          order_id BIGINT NOT NULL PRIMARY KEY,
          released_at DATETIME(3) NOT NULL
        ) ENGINE=InnoDB`);
    },
  };
}

/**
 * Turns a release ledger into the reservation ledger: a status column (existing rows are
 * releases), and a TAKEN row for every order the service's own log says took something and that
 * was not released, so that a late repeat of such a reservation is recognised as a repeat.
 * `takenOrdersSql` selects (order_id) of those orders. Re-running it is harmless.
 */
export function reservationLedgerMigration(id: string, table: string, takenOrdersSql: string): Migration {
  return {
    id,
    async up({ sequelize }) {
      const [columns] = await sequelize.query(`SHOW COLUMNS FROM ${table} LIKE 'status'`);
      if ((columns as unknown[]).length === 0) {
        await sequelize.query(
          `ALTER TABLE ${table} ADD COLUMN status VARCHAR(8) NOT NULL DEFAULT 'RELEASED', ADD COLUMN taken_at DATETIME(3) NULL, MODIFY released_at DATETIME(3) NULL`,
        );
      }
      await sequelize.query(
        `INSERT INTO ${table} (order_id, status, taken_at)
         SELECT taken.order_id, 'TAKEN', UTC_TIMESTAMP(3) FROM (${takenOrdersSql}) AS taken
         WHERE NOT EXISTS (SELECT 1 FROM ${table} AS ledger WHERE ledger.order_id = taken.order_id)`,
      );
    },
  };
}
