/** The goods catalogue: create (admin, idempotent by request id), read and search, categories. */
import { createOnce } from '@shop/common/db';
import { DomainError, ErrorCode, refusable, refuse } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { CategoryRow, GoodsRepository, GoodsRow, ListOptions } from './ports';

const PRICE = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;
const MAX_STOCK = 10_000_000;
const MAX_PAGE_SIZE = 100;
const MAX_DESCRIPTION = 2000;

export interface Goods {
  goodsId: string;
  name: string;
  price: string;
  stock: number;
  onSale: boolean;
  /** Empty when in no category (the proto's way of saying none). */
  categoryId: string;
  categoryName: string;
  description: string;
  imageKey: string;
}

export function toGoods(row: GoodsRow): Goods {
  return {
    goodsId: row.id,
    name: row.name,
    price: row.price,
    stock: row.stock,
    onSale: row.on_sale === 1,
    categoryId: row.category_id ?? '',
    categoryName: row.category_name ?? '',
    description: row.description,
    imageKey: row.image_key ?? '',
  };
}

export interface Category {
  categoryId: string;
  name: string;
  goodsCount: number;
}

const toCategory = (row: CategoryRow): Category => ({ categoryId: row.id, name: row.name, goodsCount: Number(row.goods_count) });

export interface NewGoods {
  requestId: string;
  name: string;
  price: string;
  stock: number;
  /** Empty or left out: in no category. */
  categoryId?: string;
  description?: string;
}

/** The category id as stored (null for none), or the refusal of an unknown one. */
async function categoryOf(store: GoodsRepository, categoryId: string): Promise<string | null | DomainError> {
  if (categoryId === '') return null;
  if (!isSnowflakeId(categoryId) || !(await store.findCategory(categoryId))) return new DomainError(ErrorCode.INVALID_ARGUMENT, `no category ${categoryId}`);
  return categoryId;
}

const checkDescription = (description: string): DomainError | undefined =>
  description.length > MAX_DESCRIPTION ? new DomainError(ErrorCode.INVALID_ARGUMENT, `description must have at most ${MAX_DESCRIPTION} characters`) : undefined;

/** Creates goods on sale. The same request id returns the goods it created the first time. */
export async function createGoods(store: GoodsRepository, ids: SnowflakeGenerator, input: NewGoods): Promise<Goods | DomainError> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 128) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'name must have 1 to 128 characters');
  if (!PRICE.test(input.price)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'price must be an amount like 19.90');
  if (!Number.isInteger(input.stock) || input.stock < 0 || input.stock > MAX_STOCK) {
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `stock must be an integer from 0 to ${MAX_STOCK}`);
  }
  const description = (input.description ?? '').trim();
  const badDescription = checkDescription(description);
  if (badDescription) return badDescription;
  const categoryId = await categoryOf(store, input.categoryId ?? '');
  if (categoryId instanceof DomainError) return categoryId;
  return createOnce(
    input.requestId,
    async (requestId) => {
      const existing = await store.findByCreateRequest(requestId);
      return existing && toGoods(existing);
    },
    async (requestId) => {
      const id = ids.next();
      await store.insertGoods({ id, name, price: input.price, stock: input.stock, requestId, categoryId, description });
      return toGoods((await store.findGoods(id))!);
    },
  );
}

export async function getGoods(store: GoodsRepository, goodsId: string): Promise<Goods | DomainError> {
  if (!isSnowflakeId(goodsId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid goods id');
  const row = await store.findGoods(goodsId);
  return row ? toGoods(row) : new DomainError(ErrorCode.NOT_FOUND, `goods ${goodsId} not found`);
}

export async function batchGetGoods(store: GoodsRepository, goodsIds: string[]): Promise<Goods[] | DomainError> {
  if (goodsIds.length > 100 || !goodsIds.every(isSnowflakeId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'up to 100 valid goods ids');
  return (await store.findGoodsByIds([...new Set(goodsIds)])).map(toGoods);
}

export async function listGoods(
  store: GoodsRepository,
  page: number,
  size: number,
  query: string,
  options: ListOptions = { includeOffSale: false, sort: 'ID' },
): Promise<{ items: Goods[]; total: number } | DomainError> {
  const p = page || 1;
  const s = size || 20;
  if (!Number.isInteger(p) || p < 1 || p > 10_000) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'page must be 1 to 10000');
  if (!Number.isInteger(s) || s < 1 || s > MAX_PAGE_SIZE) return new DomainError(ErrorCode.INVALID_ARGUMENT, `size must be 1 to ${MAX_PAGE_SIZE}`);
  if (query.length > 64) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'query is too long');
  if (options.categoryId && !isSnowflakeId(options.categoryId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid category id');
  const { rows, total } = await store.listGoods((p - 1) * s, s, query.trim(), options);
  return { items: rows.map(toGoods), total };
}

export interface GoodsChange {
  goodsId: string;
  requestId: string;
  operatorId: string;
  reason: string;
  name?: string;
  price?: string;
  onSale?: boolean;
  /** Empty takes the goods out of their category. */
  categoryId?: string;
  description?: string;
  stockDelta: number;
}

const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * An admin's change of a goods, recorded with its reason and each field before and after. The
 * stock moves by a delta under the row's lock, so units orders take meanwhile are kept; the same
 * request id answers the goods as they are, changing nothing again.
 */
export async function updateGoods(store: GoodsRepository, input: GoodsChange): Promise<Goods | DomainError> {
  if (!isSnowflakeId(input.goodsId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid goods id');
  if (!REQUEST_ID.test(input.requestId))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a request id (Idempotency-Key) of 1 to 64 visible characters is required');
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 200) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a reason of 1 to 200 characters is required');
  const name = input.name?.trim();
  if (name !== undefined && (name.length === 0 || name.length > 128)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'name must have 1 to 128 characters');
  if (input.price !== undefined && !PRICE.test(input.price)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'price must be an amount like 19.90');
  if (!Number.isInteger(input.stockDelta) || Math.abs(input.stockDelta) > MAX_STOCK)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `stock change must be an integer from -${MAX_STOCK} to ${MAX_STOCK}`);
  const description = input.description?.trim();
  const badDescription = description === undefined ? undefined : checkDescription(description);
  if (badDescription) return badDescription;
  const categoryId = input.categoryId === undefined ? undefined : await categoryOf(store, input.categoryId);
  if (categoryId instanceof DomainError) return categoryId;
  const refused = await refusable(
    store.transaction(async (tx) => {
      const row = await store.lockGoods(tx, input.goodsId);
      if (!row) return refuse(ErrorCode.NOT_FOUND, `goods ${input.goodsId} not found`);
      const before = toGoods(row);
      const after = {
        name: name ?? before.name,
        price: input.price ?? before.price,
        onSale: input.onSale ?? before.onSale,
        categoryId: categoryId === undefined ? before.categoryId : (categoryId ?? ''),
        description: description ?? before.description,
        stock: before.stock + input.stockDelta,
      };
      if (after.stock < 0) refuse(ErrorCode.INSUFFICIENT_STOCK, `only ${before.stock} in stock; cannot take ${-input.stockDelta}`);
      if (after.stock > MAX_STOCK) refuse(ErrorCode.INVALID_ARGUMENT, `stock cannot exceed ${MAX_STOCK}`);
      const changes = Object.fromEntries(
        (['name', 'price', 'onSale', 'categoryId', 'description', 'stock'] as const)
          .filter((field) => before[field] !== after[field])
          .map((field) => [field, [before[field], after[field]]]),
      );
      const operator = `admin:${input.operatorId}`;
      // A repeat (the same request id) leaves everything as the first one left it.
      if (!(await store.recordChange(tx, { goodsId: input.goodsId, requestId: input.requestId, operator, reason, changes }))) return;
      await store.applyChange(tx, input.goodsId, { ...after, categoryId: after.categoryId || null, stockDelta: input.stockDelta });
    }),
  );
  if (refused instanceof DomainError) return refused;
  return toGoods((await store.findGoods(input.goodsId))!);
}

export async function listCategories(store: GoodsRepository): Promise<Category[]> {
  return (await store.listCategories()).map(toCategory);
}

/** A category by name: created the first time, the same one answered after (names are unique). */
export async function createCategory(store: GoodsRepository, ids: SnowflakeGenerator, input: { name: string }): Promise<Category | DomainError> {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > 64) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a category name has 1 to 64 characters');
  const existing = await store.findCategoryByName(name);
  if (existing) return toCategory(existing);
  // Two admins creating the same name at once: the unique key lets one in; both answer its row.
  await store.insertCategory({ id: ids.next(), name });
  return toCategory((await store.findCategoryByName(name))!);
}
