/** SQL of the goods service. Every stock change is a conditional UPDATE; nothing reads then writes. */
import { affectedRows, insertUnique, ReleaseLedger, SqlStore, type Statement } from '@shop/common/db';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CategoryRow, GoodsRepository, GoodsRow, GoodsSort, ListOptions, TakenLine } from '../domain/ports';
import { SoldOutHints } from '../domain/sold-out';

const ORDER_BY: Record<GoodsSort, string> = {
  ID: 'g.id',
  NEWEST: 'g.id DESC',
  PRICE_ASC: 'g.price, g.id',
  PRICE_DESC: 'g.price DESC, g.id',
  STOCK_ASC: 'g.stock, g.id',
};

/** A goods row with its category's name (a primary-key join). */
const SELECT_GOODS = `SELECT g.id, g.name, g.price, g.stock, g.on_sale, g.category_id, c.name AS category_name, g.description, g.image_key
  FROM goods g LEFT JOIN goods_category c ON c.id = g.category_id`;

const SELECT_CATEGORIES = `SELECT c.id, c.name, CAST(COUNT(g.id) AS SIGNED) AS goods_count
  FROM goods_category c LEFT JOIN goods g ON g.category_id = c.id AND g.on_sale = 1`;

export class GoodsStore extends SqlStore implements GoodsRepository {
  /** Released orders, and tombstones of orders released before they took anything. */
  readonly releases: ReleaseLedger;
  readonly soldOut = new SoldOutHints();

  constructor(sequelize: Sequelize) {
    super(sequelize);
    this.releases = new ReleaseLedger(sequelize, 'goods_order_release');
  }

  async insertGoods(row: {
    id: string;
    name: string;
    price: string;
    stock: number;
    requestId: string | null;
    categoryId: string | null;
    description: string;
  }): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO goods (id, name, price, stock, on_sale, create_request_id, category_id, description, created_at)
       VALUES (?, ?, ?, ?, 1, ?, ?, ?, UTC_TIMESTAMP(3))`,
      { replacements: [row.id, row.name, row.price, row.stock, row.requestId, row.categoryId, row.description], type: QueryTypes.INSERT },
    );
  }

  async findByCreateRequest(requestId: string): Promise<GoodsRow | undefined> {
    return this.one(`${SELECT_GOODS} WHERE g.create_request_id = ?`, [requestId]);
  }

  async findGoods(id: string): Promise<GoodsRow | undefined> {
    return this.one(`${SELECT_GOODS} WHERE g.id = ?`, [id]);
  }

  async findGoodsByIds(ids: string[]): Promise<GoodsRow[]> {
    if (ids.length === 0) return [];
    return this.sequelize.query<GoodsRow>(`${SELECT_GOODS} WHERE g.id IN (?) ORDER BY g.id`, { replacements: [ids], type: QueryTypes.SELECT });
  }

  async listGoods(offset: number, limit: number, query: string, options: ListOptions): Promise<{ rows: GoodsRow[]; total: number }> {
    const conditions = ['g.name LIKE ?'];
    const replacements: unknown[] = [`%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`];
    if (!options.includeOffSale) conditions.push('g.on_sale = 1');
    if (options.categoryId) {
      conditions.push('g.category_id = ?');
      replacements.push(options.categoryId);
    }
    const where = conditions.join(' AND ');
    const rows = await this.sequelize.query<GoodsRow>(`${SELECT_GOODS} WHERE ${where} ORDER BY ${ORDER_BY[options.sort]} LIMIT ? OFFSET ?`, {
      replacements: [...replacements, limit, offset],
      type: QueryTypes.SELECT,
    });
    const [count] = await this.sequelize.query<{ total: number }>(`SELECT COUNT(*) AS total FROM goods g WHERE ${where}`, {
      replacements,
      type: QueryTypes.SELECT,
    });
    return { rows, total: Number(count?.total ?? 0) };
  }

  listCategories(): Promise<CategoryRow[]> {
    return this.sequelize.query<CategoryRow>(`${SELECT_CATEGORIES} GROUP BY c.id, c.name ORDER BY c.name`, { type: QueryTypes.SELECT });
  }

  async findCategory(id: string): Promise<CategoryRow | undefined> {
    const [row] = await this.sequelize.query<CategoryRow>(`${SELECT_CATEGORIES} WHERE c.id = ? GROUP BY c.id, c.name`, {
      replacements: [id],
      type: QueryTypes.SELECT,
    });
    return row;
  }

  async findCategoryByName(name: string): Promise<CategoryRow | undefined> {
    const [row] = await this.sequelize.query<CategoryRow>(`${SELECT_CATEGORIES} WHERE c.name = ? GROUP BY c.id, c.name`, {
      replacements: [name],
      type: QueryTypes.SELECT,
    });
    return row;
  }

  insertCategory(row: { id: string; name: string }): Promise<boolean> {
    return insertUnique(this.sequelize, 'INSERT INTO goods_category (id, name, created_at) VALUES (?, ?, UTC_TIMESTAMP(3))', [row.id, row.name]);
  }

  async setImage(tx: Transaction, id: string, imageKey: string): Promise<void> {
    await this.sequelize.query('UPDATE goods SET image_key = ? WHERE id = ?', { replacements: [imageKey, id], transaction: tx });
  }

  /** Records an admin's change; false when this (goods, request id) was recorded before. */
  recordChange(tx: Transaction, row: { goodsId: string; requestId: string; operator: string; reason: string; changes: object }): Promise<boolean> {
    return insertUnique(
      this.sequelize,
      'INSERT INTO goods_change_log (goods_id, request_id, operator, reason, changes, created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
      [row.goodsId, row.requestId, row.operator, row.reason, JSON.stringify(row.changes)],
      tx,
    );
  }

  async lockGoods(tx: Transaction, id: string): Promise<GoodsRow | undefined> {
    const [row] = await this.sequelize.query<GoodsRow>(`${SELECT_GOODS} WHERE g.id = ? FOR UPDATE`, {
      replacements: [id],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return row;
  }

  /** Sets name, price, sale state, category and description, and moves the stock by `stockDelta` (the caller holds the row's lock and checked the stock). */
  async applyChange(
    tx: Transaction,
    id: string,
    next: { name: string; price: string; onSale: boolean; categoryId: string | null; description: string; stockDelta: number },
  ): Promise<void> {
    this.soldOut.forget(id);
    await this.sequelize.query('UPDATE goods SET name = ?, price = ?, on_sale = ?, category_id = ?, description = ?, stock = stock + ? WHERE id = ?', {
      replacements: [next.name, next.price, next.onSale ? 1 : 0, next.categoryId, next.description, next.stockDelta, id],
      transaction: tx,
    });
  }

  async takenLines(tx: Transaction, orderId: string): Promise<TakenLine[]> {
    return this.sequelize.query<TakenLine>(
      "SELECT goods_id, quantity FROM goods_number_log WHERE order_id = ? AND status = 'TAKEN' ORDER BY goods_id FOR UPDATE",
      { replacements: [orderId], type: QueryTypes.SELECT, transaction: tx },
    );
  }

  /** Every line the order took, released or not (only the planted defect of the chaos harness reads it). */
  orderedLines(tx: Transaction, orderId: string): Promise<TakenLine[]> {
    return this.sequelize.query<TakenLine>('SELECT goods_id, quantity FROM goods_number_log WHERE order_id = ?', {
      replacements: [orderId],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
  }

  /** Takes `quantity` units if that many are left and the goods are on sale. */
  async takeStock(tx: Transaction, goodsId: string, quantity: number, price?: string): Promise<boolean> {
    const { sql, values } = takeStockStatement(goodsId, quantity, price);
    const [, affected] = await this.sequelize.query(sql, { replacements: values, type: QueryTypes.UPDATE, transaction: tx });
    return affected === 1;
  }

  async takeStockAtOnce(
    orderId: string,
    lines: { goodsId: string; quantity: number; price?: string }[],
  ): Promise<{ taken: true } | { taken: false; short: string } | 'opened before'> {
    const take = lines.flatMap(({ goodsId, quantity, price }) => [
      takeStockStatement(goodsId, quantity, price),
      recordTakenStatement(goodsId, orderId, quantity),
    ]);
    // Each line's UPDATE comes first in its pair: its changed rows say whether the units were there.
    const shortLine = (results: unknown[]) => lines.findIndex((_, i) => affectedRows(results[2 * i]) !== 1);
    const outcome = await this.releases.reserveInTwoTrips(orderId, take, (results) => shortLine(results) < 0);
    if (outcome === 'opened before') return outcome;
    if (outcome.taken) return { taken: true };
    return { taken: false, short: lines[shortLine(outcome.results)]!.goodsId };
  }

  async giveBackStock(tx: Transaction, goodsId: string, quantity: number): Promise<void> {
    this.soldOut.forget(goodsId);
    await this.sequelize.query('UPDATE goods SET stock = stock + ? WHERE id = ?', { replacements: [quantity, goodsId], transaction: tx });
  }

  async recordTaken(tx: Transaction, goodsId: string, orderId: string, quantity: number): Promise<void> {
    const { sql, values } = recordTakenStatement(goodsId, orderId, quantity);
    await this.sequelize.query(sql, { replacements: values, transaction: tx });
  }

  async markReleased(tx: Transaction, orderId: string): Promise<void> {
    await this.sequelize.query("UPDATE goods_number_log SET status = 'RELEASED', released_at = UTC_TIMESTAMP(3) WHERE order_id = ? AND status = 'TAKEN'", {
      replacements: [orderId],
      transaction: tx,
    });
  }

  /** Records units a refund gives back; false when this (refund, goods) was recorded before. */
  recordReturn(tx: Transaction, row: { refundId: string; orderId: string; goodsId: string; quantity: number }): Promise<boolean> {
    return insertUnique(
      this.sequelize,
      'INSERT INTO goods_return_log (refund_id, goods_id, order_id, quantity, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))',
      [row.refundId, row.goodsId, row.orderId, row.quantity],
      tx,
    );
  }

  /** Units the order's refunds gave back, per goods. */
  async returnedUnits(tx: Transaction, orderId: string): Promise<Map<string, number>> {
    const rows = await this.sequelize.query<{ goods_id: string; units: string }>(
      'SELECT goods_id, SUM(quantity) AS units FROM goods_return_log WHERE order_id = ? GROUP BY goods_id',
      { replacements: [orderId], type: QueryTypes.SELECT, transaction: tx },
    );
    return new Map(rows.map((row) => [row.goods_id, Number(row.units)]));
  }

  async setReleasedUnits(tx: Transaction, orderId: string, units: number): Promise<void> {
    await this.sequelize.query('UPDATE goods_order_release SET released_units = ? WHERE order_id = ?', { replacements: [units, orderId], transaction: tx });
  }

  private async one(sql: string, replacements: unknown[]): Promise<GoodsRow | undefined> {
    const [row] = await this.sequelize.query<GoodsRow>(sql, { replacements, type: QueryTypes.SELECT });
    return row;
  }
}

/** Takes the units only if they are there, the goods on sale and, when given, still at `price`. */
const takeStockStatement = (goodsId: string, quantity: number, price?: string): Statement =>
  price
    ? {
        // Compared as DECIMAL (a string against a DECIMAL would compare as doubles), wide enough for any amount parseCents takes, so a price beyond the column's range is never clipped into one that matches.
        sql: 'UPDATE goods SET stock = stock - ? WHERE id = ? AND on_sale = 1 AND stock >= ? AND price = CAST(? AS DECIMAL(14,2))',
        values: [quantity, goodsId, quantity, price],
      }
    : { sql: 'UPDATE goods SET stock = stock - ? WHERE id = ? AND on_sale = 1 AND stock >= ?', values: [quantity, goodsId, quantity] };

const recordTakenStatement = (goodsId: string, orderId: string, quantity: number): Statement => ({
  sql: "INSERT INTO goods_number_log (goods_id, order_id, quantity, status, created_at) VALUES (?, ?, ?, 'TAKEN', UTC_TIMESTAMP(3))",
  values: [goodsId, orderId, quantity],
});
