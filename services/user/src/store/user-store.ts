/** SQL of the user service. Balance and points move only by conditional UPDATEs plus a log row. */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { affectedRows, insertUnique, ReleaseLedger, SqlStore, type Statement } from '@shop/common/db';
import type { AddressFields, AddressRow, AdjustmentRow, MoneyMovement, MoneyType, PointsType, UserRepository, UserRow } from '../domain/ports';

const USER_COLUMNS = 'id, username, password_hash, role, balance, points, banned_at, ban_reason, created_at';
const ADDRESS_COLUMNS = 'id, user_id, recipient, phone, region, line, is_default';

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

  lockUser(tx: Transaction, id: string): Promise<UserRow | undefined> {
    return this.one(`SELECT ${USER_COLUMNS} FROM user WHERE id = ? FOR UPDATE`, [id], tx);
  }

  /** Newest first: snowflake ids grow with time. */
  async listUsers(offset: number, limit: number, query: string): Promise<{ rows: UserRow[]; total: number }> {
    const like = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.sequelize.query<UserRow>(`SELECT ${USER_COLUMNS} FROM user WHERE username LIKE ? ORDER BY id DESC LIMIT ? OFFSET ?`, {
      replacements: [like, limit, offset],
      type: QueryTypes.SELECT,
    });
    const [count] = await this.sequelize.query<{ total: number }>('SELECT COUNT(*) AS total FROM user WHERE username LIKE ?', {
      replacements: [like],
      type: QueryTypes.SELECT,
    });
    return { rows, total: Number(count?.total ?? 0) };
  }

  /**
   * Records a balance movement; false when this (user, type, ref) movement exists already. It is
   * written before the balance changes, so a concurrent repeat waits on the key and then sees it.
   */
  async recordMoney(tx: Transaction, row: MoneyMovement): Promise<boolean> {
    const { sql, values } = moneyLogInsert(row);
    return insertUnique(this.sequelize, sql, values!, tx);
  }

  async findAdminMovement(tx: Transaction, userId: string, types: readonly MoneyType[], ref: string): Promise<AdjustmentRow | undefined> {
    const [row] = await this.sequelize.query<AdjustmentRow>(
      'SELECT type, amount, reason, operator_id, balance_after, created_at FROM user_money_log WHERE user_id = ? AND type IN (?) AND ref = ?',
      { replacements: [userId, types, ref], type: QueryTypes.SELECT, transaction: tx },
    );
    return row;
  }

  listAdminMovements(userId: string, limit: number): Promise<AdjustmentRow[]> {
    return this.sequelize.query<AdjustmentRow>(
      "SELECT type, amount, reason, operator_id, balance_after, created_at FROM user_money_log WHERE user_id = ? AND type IN ('RECHARGE', 'ADJUST_ADD', 'ADJUST_TAKE') ORDER BY id DESC LIMIT ?",
      { replacements: [userId, limit], type: QueryTypes.SELECT },
    );
  }

  async setBan(tx: Transaction, row: { logId: string; userId: string; operatorId: string; banned: boolean; reason: string }): Promise<void> {
    if (row.banned) {
      // A ban ends every session and every access token (a later unban does not bring them back).
      await this.sequelize.query(
        'UPDATE user SET banned_at = UTC_TIMESTAMP(3), ban_reason = ?, banned_by = ?, token_version = token_version + 1 WHERE id = ?',
        { replacements: [row.reason, row.operatorId, row.userId], transaction: tx },
      );
      await this.sequelize.query("UPDATE user_session SET ended_at = UTC_TIMESTAMP(3), end_reason = 'ban' WHERE user_id = ? AND ended_at IS NULL", {
        replacements: [row.userId],
        transaction: tx,
      });
    } else {
      await this.sequelize.query('UPDATE user SET banned_at = NULL, ban_reason = NULL, banned_by = NULL WHERE id = ?', {
        replacements: [row.userId],
        transaction: tx,
      });
    }
    await this.sequelize.query('INSERT INTO user_ban_log (id, user_id, banned, operator_id, reason, created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))', {
      replacements: [row.logId, row.userId, row.banned ? 1 : 0, row.operatorId, row.reason || null],
      transaction: tx,
    });
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
    const { sql, values } = takeBalanceStatement(userId, amount);
    const [, affected] = await this.sequelize.query(sql, { replacements: values, type: QueryTypes.UPDATE, transaction: tx });
    return affected === 1;
  }

  async takeBalanceAtOnce(movement: MoneyMovement & { orderId: string }): Promise<{ taken: true; balance: string } | { taken: false } | 'opened before'> {
    const take = [
      moneyLogInsert(movement),
      takeBalanceStatement(movement.userId, movement.amount),
      { sql: 'SELECT balance FROM user WHERE id = ?', values: [movement.userId] },
    ];
    const outcome = await this.releases.reserveInTwoTrips(movement.orderId, take, (results) => affectedRows(results[1]) === 1);
    if (outcome === 'opened before') return outcome;
    if (!outcome.taken) return { taken: false };
    const [row] = outcome.results[2] as { balance: string }[];
    return { taken: true, balance: row!.balance };
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

  /** The default first, then newest first. In a transaction the rows are read as committed last and locked. */
  listAddresses(userId: string, tx?: Transaction): Promise<AddressRow[]> {
    return this.sequelize.query<AddressRow>(
      `SELECT ${ADDRESS_COLUMNS} FROM user_address WHERE user_id = ? ORDER BY is_default DESC, id DESC${tx ? ' FOR UPDATE' : ''}`,
      { replacements: [userId], type: QueryTypes.SELECT, transaction: tx },
    );
  }

  async findAddress(userId: string, addressId: string, tx?: Transaction): Promise<AddressRow | undefined> {
    const [row] = await this.sequelize.query<AddressRow>(`SELECT ${ADDRESS_COLUMNS} FROM user_address WHERE id = ? AND user_id = ?${tx ? ' FOR UPDATE' : ''}`, {
      replacements: [addressId, userId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return row;
  }

  async findAddressByRequest(tx: Transaction, userId: string, requestId: string): Promise<AddressRow | undefined> {
    const [row] = await this.sequelize.query<AddressRow>(`SELECT ${ADDRESS_COLUMNS} FROM user_address WHERE user_id = ? AND create_request_id = ? FOR UPDATE`, {
      replacements: [userId, requestId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return row;
  }

  async insertAddress(tx: Transaction, row: AddressFields & { id: string; userId: string; isDefault: boolean; requestId: string | null }): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO user_address (id, user_id, recipient, phone, region, line, is_default, create_request_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
      { replacements: [row.id, row.userId, row.recipient, row.phone, row.region, row.line, row.isDefault ? 1 : 0, row.requestId], transaction: tx },
    );
  }

  async updateAddress(tx: Transaction, userId: string, addressId: string, fields: AddressFields): Promise<void> {
    await this.sequelize.query(
      'UPDATE user_address SET recipient = ?, phone = ?, region = ?, line = ?, updated_at = UTC_TIMESTAMP(3) WHERE id = ? AND user_id = ?',
      {
        replacements: [fields.recipient, fields.phone, fields.region, fields.line, addressId, userId],
        transaction: tx,
      },
    );
  }

  async setDefaultAddress(tx: Transaction, userId: string, addressId: string | null): Promise<void> {
    await this.sequelize.query('UPDATE user_address SET is_default = IF(id = ?, 1, 0) WHERE user_id = ?', {
      replacements: [addressId ?? '0', userId],
      transaction: tx,
    });
  }

  async deleteAddress(tx: Transaction, userId: string, addressId: string): Promise<boolean> {
    const affected = await this.sequelize.query('DELETE FROM user_address WHERE id = ? AND user_id = ?', {
      replacements: [addressId, userId],
      type: QueryTypes.BULKDELETE,
      transaction: tx,
    });
    return affected === 1;
  }

  private async one(sql: string, replacements: unknown[], transaction?: Transaction): Promise<UserRow | undefined> {
    const [row] = await this.sequelize.query<UserRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return row;
  }
}

const moneyLogInsert = (row: MoneyMovement): Statement => ({
  sql: 'INSERT INTO user_money_log (id, user_id, order_id, type, ref, amount, operator_id, reason, balance_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
  values: [row.id, row.userId, row.orderId, row.type, row.ref, row.amount, row.operatorId ?? null, row.reason ?? null, row.balanceAfter ?? null],
});

const takeBalanceStatement = (userId: string, amount: string): Statement => ({
  sql: 'UPDATE user SET balance = balance - CAST(? AS DECIMAL(14,2)) WHERE id = ? AND balance >= CAST(? AS DECIMAL(14,2))',
  values: [amount, userId, amount],
});
