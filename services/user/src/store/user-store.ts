/** SQL of the user service. Balance and points move only by conditional UPDATEs plus a log row. */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { insertUnique, ReleaseLedger, SqlStore } from '@shop/common/db';
import type { MoneyType, PointsType, UserRepository, UserRow } from '../domain/ports';

const USER_COLUMNS = 'id, username, password_hash, role, balance, points';

export class UserStore extends SqlStore implements UserRepository {
  /** Released orders, and tombstones of orders released before their balance was taken. */
  readonly releases: ReleaseLedger;

  constructor(sequelize: Sequelize) {
    super(sequelize);
    this.releases = new ReleaseLedger(sequelize, 'user_order_release');
  }

  /** Inserts a user; false when the username is taken. */
  async insertUser(row: { id: string; username: string; passwordHash: string; role: string }): Promise<boolean> {
    return insertUnique(this.sequelize, 'INSERT INTO user (id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))', [
      row.id,
      row.username,
      row.passwordHash,
      row.role,
    ]);
  }

  findUser(id: string, tx?: Transaction): Promise<UserRow | undefined> {
    return this.one(`SELECT ${USER_COLUMNS} FROM user WHERE id = ?`, [id], tx);
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.one(`SELECT ${USER_COLUMNS} FROM user WHERE username = ?`, [username]);
  }

  /**
   * Records a balance movement; false when this (user, type, ref) movement exists already. It is
   * written before the balance changes, so a concurrent repeat waits on the key and then sees it.
   */
  async recordMoney(
    tx: Transaction,
    row: { id: string; userId: string; orderId: string | null; type: MoneyType; ref: string; amount: string },
  ): Promise<boolean> {
    return insertUnique(
      this.sequelize,
      'INSERT INTO user_money_log (id, user_id, order_id, type, ref, amount, created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
      [row.id, row.userId, row.orderId, row.type, row.ref, row.amount],
      tx,
    );
  }

  /** The movements of one type recorded for an order (locked until commit). */
  moneyOfOrder(tx: Transaction, orderId: string, type: MoneyType): Promise<{ user_id: string; amount: string }[]> {
    return this.sequelize.query('SELECT user_id, amount FROM user_money_log WHERE order_id = ? AND type = ? FOR UPDATE', {
      replacements: [orderId, type],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
  }

  /** Takes `amount` if the balance covers it; false (nothing changed) otherwise. */
  async takeBalance(tx: Transaction, userId: string, amount: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      'UPDATE user SET balance = balance - CAST(? AS DECIMAL(14,2)) WHERE id = ? AND balance >= CAST(? AS DECIMAL(14,2))',
      {
        replacements: [amount, userId, amount],
        type: QueryTypes.UPDATE,
        transaction: tx,
      },
    );
    return affected === 1;
  }

  async addBalance(tx: Transaction, userId: string, amount: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query('UPDATE user SET balance = balance + CAST(? AS DECIMAL(14,2)) WHERE id = ?', {
      replacements: [amount, userId],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    return affected === 1;
  }

  async recordPoints(tx: Transaction, row: { id: string; userId: string; orderId: string; type: PointsType; ref: string; points: string }): Promise<boolean> {
    return insertUnique(
      this.sequelize,
      'INSERT INTO user_points_log (id, user_id, order_id, type, ref, points, created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
      [row.id, row.userId, row.orderId, row.type, row.ref, row.points],
      tx,
    );
  }

  async addPoints(tx: Transaction, userId: string, points: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query('UPDATE user SET points = points + ? WHERE id = ?', {
      replacements: [points, userId],
      type: QueryTypes.UPDATE,
      transaction: tx,
    });
    return affected === 1;
  }

  /** What the order added and what refunds took back (its log rows locked); added undefined: never added. */
  async pointsOfOrder(tx: Transaction, orderId: string): Promise<{ added: bigint | undefined; deducted: bigint }> {
    const rows = await this.sequelize.query<{ type: PointsType; points: string }>('SELECT type, points FROM user_points_log WHERE order_id = ? FOR UPDATE', {
      replacements: [orderId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    const sum = (type: PointsType) => rows.filter((row) => row.type === type).reduce((total, row) => total + BigInt(row.points), 0n);
    return { added: rows.some((row) => row.type === 'ADD') ? sum('ADD') : undefined, deducted: sum('DEDUCT') };
  }

  /** Takes back `points`, never below zero (a CHECK would refuse it; they only come from this order). */
  async takePoints(tx: Transaction, userId: string, points: string): Promise<void> {
    await this.sequelize.query('UPDATE user SET points = GREATEST(points - ?, 0) WHERE id = ?', { replacements: [points, userId], transaction: tx });
  }

  private async one(sql: string, replacements: unknown[], transaction?: Transaction): Promise<UserRow | undefined> {
    const [row] = await this.sequelize.query<UserRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return row;
  }
}
