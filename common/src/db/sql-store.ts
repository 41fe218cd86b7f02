/**
 * The base of every service's SQL store: the connection pool, transactions, and the two query
 * shapes the stores use (all rows, the first row). A store adds its own SQL and nothing else.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

export abstract class SqlStore {
  constructor(readonly sequelize: Sequelize) {}

  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }

  protected select<Row extends object>(sql: string, replacements: unknown[], transaction?: Transaction): Promise<Row[]> {
    return this.sequelize.query<Row>(sql, { replacements, type: QueryTypes.SELECT, ...(transaction && { transaction }) });
  }

  protected async first<Row extends object>(sql: string, replacements: unknown[], transaction?: Transaction): Promise<Row | undefined> {
    return (await this.select<Row>(sql, replacements, transaction))[0];
  }
}
