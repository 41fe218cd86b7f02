/**
 * The base of every service's SQL store: the connection pool and its transactions. A store adds
 * its own SQL and nothing else.
 */
import type { Sequelize, Transaction } from 'sequelize';

export abstract class SqlStore {
  constructor(readonly sequelize: Sequelize) {}

  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }
}
