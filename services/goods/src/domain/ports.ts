/**
 * The ports of the goods domain: what it needs of its database, as an interface the SQL store
 * implements (store/goods-store.ts). Every stock change is a conditional UPDATE there.
 */
import type { ReleaseLedger } from '@shop/common/db';
import type { Transaction } from 'sequelize';
import type { SoldOutHints } from './sold-out';

/** A database transaction: the domain only hands it back to the repository. */
export type Tx = Transaction;

export interface GoodsRow {
  id: string;
  name: string;
  /** Decimal string, like 19.90. */
  price: string;
  stock: number;
  /** 1 on sale, 0 not. */
  on_sale: number;
  category_id: string | null;
  category_name: string | null;
  description: string;
  /** The picture's name in the image store, or null. */
  image_key: string | null;
}

export interface CategoryRow {
  id: string;
  name: string;
  /** Goods on sale in the category. */
  goods_count: number;
}

export interface ListOptions {
  includeOffSale: boolean;
  sort: GoodsSort;
  /** Only goods of this category. */
  categoryId?: string;
}

/**
 * Where pictures live (local disk by default, an S3-compatible bucket by configuration): write
 * once under a name, read back. Names are derived from content, so a write never replaces a
 * different picture and every instance of the service can share one store.
 */
export interface ImageStore {
  put(name: string, content: Buffer, contentType: string): Promise<void>;
  /** undefined when there is no such picture. */
  get(name: string): Promise<{ content: Buffer; contentType: string } | undefined>;
}

/** Decodes an uploaded picture and makes its sizes; undefined when the bytes are not a picture it takes. */
export interface ImageResizer {
  resize(content: Buffer): Promise<{ small: Buffer; large: Buffer; contentType: string } | undefined>;
}

export type GoodsSort = 'ID' | 'NEWEST' | 'PRICE_ASC' | 'PRICE_DESC' | 'STOCK_ASC';

/** A line of goods_number_log: units of a goods an order took. */
export interface TakenLine {
  goods_id: string;
  quantity: number;
}

/** The goods, the stock orders took (goods_number_log), refunds' returns and admins' changes. */
export interface GoodsRepository {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The order's reservation ledger: released orders, and tombstones of orders released before they took anything. */
  readonly releases: Pick<ReleaseLedger, 'reserveOnce' | 'releaseOnce' | 'statusOf'>;
  /** This process's sold-out hints (sold-out.ts); the store drops a goods' hint when its stock goes up. */
  readonly soldOut: SoldOutHints;
  /** Inserts goods on sale; `requestId` is unique (a second insert with it fails). */
  insertGoods(row: {
    id: string;
    name: string;
    price: string;
    stock: number;
    requestId: string | null;
    categoryId: string | null;
    description: string;
  }): Promise<void>;
  /** The goods created with this request id, if any. */
  findByCreateRequest(requestId: string): Promise<GoodsRow | undefined>;
  findGoods(id: string): Promise<GoodsRow | undefined>;
  /** The goods found among `ids` (missing ones left out), by id. */
  findGoodsByIds(ids: string[]): Promise<GoodsRow[]>;
  /** A page of goods whose name contains `query`; off-sale goods only with `includeOffSale`. */
  listGoods(offset: number, limit: number, query: string, options: ListOptions): Promise<{ rows: GoodsRow[]; total: number }>;
  /** Every category, by name, with its count of goods on sale. */
  listCategories(): Promise<CategoryRow[]>;
  findCategory(id: string): Promise<CategoryRow | undefined>;
  findCategoryByName(name: string): Promise<CategoryRow | undefined>;
  /** Inserts a category; false when the name is taken. */
  insertCategory(row: { id: string; name: string }): Promise<boolean>;
  /** Names the goods' picture (the caller holds the row's lock). */
  setImage(tx: Tx, id: string, imageKey: string): Promise<void>;
  /** Records an admin's change; false when this (goods, request id) was recorded before. */
  recordChange(tx: Tx, row: { goodsId: string; requestId: string; operator: string; reason: string; changes: object }): Promise<boolean>;
  /** Reads the goods and locks its row until the transaction ends. */
  lockGoods(tx: Tx, id: string): Promise<GoodsRow | undefined>;
  /** Sets name, price, sale state, category and description, and moves the stock by `stockDelta` (the caller holds the row's lock and checked the stock). */
  applyChange(
    tx: Tx,
    id: string,
    next: { name: string; price: string; onSale: boolean; categoryId: string | null; description: string; stockDelta: number },
  ): Promise<void>;
  /** What the order took and still holds (not released), locked. */
  takenLines(tx: Tx, orderId: string): Promise<TakenLine[]>;
  /** Every line the order took, released or not (only the planted defect of the chaos harness reads it). */
  orderedLines(tx: Tx, orderId: string): Promise<TakenLine[]>;
  /**
   * Takes `quantity` units if that many are left, the goods are on sale and, when `price` is
   * given, sell at it; false (nothing changed) otherwise.
   */
  takeStock(tx: Tx, goodsId: string, quantity: number, price?: string): Promise<boolean>;
  /**
   * A new order's reservation in two round trips: its ledger row, every line taken and recorded,
   * committed only if every line had its units at its price (else nothing is kept: `short` names
   * the first line refused). 'opened before' when the order has its ledger row already (nothing written).
   */
  takeStockAtOnce(
    orderId: string,
    lines: { goodsId: string; quantity: number; price?: string }[],
  ): Promise<{ taken: true } | { taken: false; short: string } | 'opened before'>;
  /** Adds `quantity` units back, unconditionally. */
  giveBackStock(tx: Tx, goodsId: string, quantity: number): Promise<void>;
  /** Records that the order took `quantity` units of the goods (one row per goods and order). */
  recordTaken(tx: Tx, goodsId: string, orderId: string, quantity: number): Promise<void>;
  /** Marks every line the order still holds as released. */
  markReleased(tx: Tx, orderId: string): Promise<void>;
  /** Records units a refund gives back; false when this (refund, goods) was recorded before. */
  recordReturn(tx: Tx, row: { refundId: string; orderId: string; goodsId: string; quantity: number }): Promise<boolean>;
  /** Units the order's refunds gave back, per goods. */
  returnedUnits(tx: Tx, orderId: string): Promise<Map<string, number>>;
  /** Keeps on the order's ledger row how many units its release gave back. */
  setReleasedUnits(tx: Tx, orderId: string, units: number): Promise<void>;
}
