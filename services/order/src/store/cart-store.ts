/** SQL of the cart: one row per (user, goods). Quantities stay within 1..MAX_QUANTITY (a CHECK too). */
import { SqlStore, withDeadlockRetry, type Statement } from '@shop/common/db';
import { MAX_QUANTITY, type OrderLineInput } from '@shop/contracts';
import { QueryTypes, type Transaction } from 'sequelize';
import type { CartRepository, CartRow } from '../domain/ports';

export class CartStore extends SqlStore implements CartRepository {
  async items(userId: string, tx?: Transaction): Promise<CartRow[]> {
    const rows = await this.sequelize.query<{ goods_id: string; quantity: number; checked: number }>(
      'SELECT goods_id, quantity, checked FROM cart_item WHERE user_id = ? ORDER BY added_at, goods_id',
      { replacements: [userId], type: QueryTypes.SELECT, transaction: tx },
    );
    return rows.map((row) => ({ goods_id: row.goods_id, quantity: row.quantity, checked: Boolean(row.checked) }));
  }

  /**
   * Runs `change` with the user's cart rows locked, so that rules over the whole cart (the line
   * limit) hold against concurrent requests of the same user.
   */
  locked<T>(userId: string, change: (tx: Transaction, current: CartRow[]) => Promise<T>): Promise<T> {
    return withDeadlockRetry(() =>
      this.sequelize.transaction(async (tx) => {
        await this.sequelize.query('SELECT goods_id FROM cart_item WHERE user_id = ? FOR UPDATE', {
          replacements: [userId],
          type: QueryTypes.SELECT,
          transaction: tx,
        });
        return change(tx, await this.items(userId, tx));
      }),
    );
  }

  async put(tx: Transaction, userId: string, goodsId: string, quantity: number, checked: boolean): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO cart_item (user_id, goods_id, quantity, checked, added_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE quantity = VALUES(quantity), checked = VALUES(checked)`,
      { replacements: [userId, goodsId, quantity, checked], type: QueryTypes.INSERT, transaction: tx },
    );
  }

  /** Adds to a line (summed, capped at the maximum quantity); checked if either side was. */
  async add(tx: Transaction, userId: string, goodsId: string, quantity: number, checked: boolean): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO cart_item (user_id, goods_id, quantity, checked, added_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE quantity = LEAST(quantity + VALUES(quantity), ${MAX_QUANTITY}), checked = checked OR VALUES(checked)`,
      { replacements: [userId, goodsId, quantity, checked], type: QueryTypes.INSERT, transaction: tx },
    );
  }

  async remove(userId: string, goodsId: string): Promise<void> {
    await this.sequelize.query('DELETE FROM cart_item WHERE user_id = ? AND goods_id = ?', { replacements: [userId, goodsId], type: QueryTypes.DELETE });
  }

  async clear(userId: string): Promise<void> {
    await this.sequelize.query('DELETE FROM cart_item WHERE user_id = ?', { replacements: [userId], type: QueryTypes.DELETE });
  }
}

/**
 * Takes an order's lines out of the cart, in the transaction that confirms the order (the order
 * store's finishPlacement), each statement only under `condition`: a line ordered in full goes;
 * one the user raised meanwhile keeps the difference.
 */
export function takeOrderedStatements(userId: string, lines: OrderLineInput[], condition: string): Statement[] {
  return lines.flatMap(({ goodsId, quantity }) => [
    { sql: `DELETE FROM cart_item WHERE user_id = ? AND goods_id = ? AND quantity <= ? AND ${condition}`, values: [userId, goodsId, quantity] },
    {
      sql: `UPDATE cart_item SET quantity = quantity - ? WHERE user_id = ? AND goods_id = ? AND quantity > ? AND ${condition}`,
      values: [quantity, userId, goodsId, quantity],
    },
  ]);
}
