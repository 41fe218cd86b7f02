/**
 * The cart, owned by the order service: one line per goods, each with a quantity and a checked
 * flag. Checkout places the checked lines as one order (placement.ts); they leave the cart in
 * the transaction that confirms that order, so a failed checkout leaves the cart as it was.
 * Names and prices are not stored: the cart shows today's, read from the goods service.
 */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import { MAX_LINES, MAX_QUANTITY, type OrderLineInput } from '@shop/contracts';
import type { CartRepository, CartRow, Catalogue } from './ports';

export interface CartDeps {
  carts: CartRepository;
  catalogue: Catalogue;
}

export interface CartLineView {
  goodsId: string;
  quantity: number;
  checked: boolean;
  /** Today's name and unit price, read from the goods service. */
  name: string;
  price: string;
}

export interface CartView {
  items: CartLineView[];
  /** The sum of the checked lines at today's prices. */
  checkedAmount: string;
}

export interface CartLineInput {
  goodsId: string;
  quantity: number;
  checked: boolean;
}

function checkLine(userId: string, line: { goodsId: string; quantity?: number }): DomainError | undefined {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (!isSnowflakeId(line.goodsId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, `invalid goods id ${JSON.stringify(line.goodsId)}`);
  if (line.quantity !== undefined && (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY)) {
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `quantity must be 1 to ${MAX_QUANTITY}`);
  }
  return undefined;
}

const tooManyLines = () => new DomainError(ErrorCode.INVALID_ARGUMENT, `a cart holds at most ${MAX_LINES} different goods`);

/** The cart with each line's current name and price; `checkedAmount` sums the checked lines. */
export async function viewCart(deps: CartDeps, userId: string): Promise<CartView> {
  const rows = await deps.carts.items(userId);
  const goods = new Map((rows.length ? await deps.catalogue.goods(rows.map((row) => row.goods_id)) : []).map((info) => [info.goodsId, info]));
  let checkedCents = 0n;
  const items = rows.map((row) => {
    const info = goods.get(row.goods_id);
    // Goods cannot be deleted today; should one vanish, its line stays visible and removable.
    const price = info?.price ?? '0.00';
    if (row.checked && info) checkedCents += parseCents(price)! * BigInt(row.quantity);
    return { goodsId: row.goods_id, quantity: row.quantity, checked: row.checked, name: info?.name ?? 'unavailable goods', price };
  });
  return { items, checkedAmount: formatCents(checkedCents) };
}

export async function getCart(deps: CartDeps, userId: string): Promise<CartView | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  return viewCart(deps, userId);
}

/** Only goods that exist and are on sale can be put in a cart. */
async function checkOnSale(deps: CartDeps, goodsIds: string[]): Promise<Set<string>> {
  const found = await deps.catalogue.goods(goodsIds);
  return new Set(found.filter((info) => info.onSale).map((info) => info.goodsId));
}

/** Sets a line's quantity and checked flag, adding the line when missing. */
export async function putCartItem(deps: CartDeps, userId: string, line: CartLineInput): Promise<CartView | DomainError> {
  const invalid = checkLine(userId, line);
  if (invalid) return invalid;
  if (!(await checkOnSale(deps, [line.goodsId])).has(line.goodsId))
    return new DomainError(ErrorCode.NOT_FOUND, `goods ${line.goodsId} not found or not on sale`);
  const refused = await deps.carts.locked(userId, async (tx, current) => {
    if (current.length >= MAX_LINES && !current.some((row) => row.goods_id === line.goodsId)) return tooManyLines();
    await deps.carts.put(tx, userId, line.goodsId, line.quantity, line.checked);
    return undefined;
  });
  return refused ?? viewCart(deps, userId);
}

export async function removeCartItem(deps: CartDeps, userId: string, goodsId: string): Promise<CartView | DomainError> {
  const invalid = checkLine(userId, { goodsId });
  if (invalid) return invalid;
  await deps.carts.remove(userId, goodsId);
  return viewCart(deps, userId);
}

export async function clearCart(deps: CartDeps, userId: string): Promise<CartView | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  await deps.carts.clear(userId);
  return viewCart(deps, userId);
}

/**
 * Adds a guest cart (kept by the browser before sign-in) to the user's cart: quantities of the
 * same goods are summed up to the maximum. Goods no longer on sale are left out; a merge that
 * would pass the line limit is refused whole.
 */
export async function mergeCart(deps: CartDeps, userId: string, lines: CartLineInput[]): Promise<CartView | DomainError> {
  if (lines.length > MAX_LINES) return tooManyLines();
  for (const line of lines) {
    const invalid = checkLine(userId, line);
    if (invalid) return invalid;
  }
  const onSale = lines.length
    ? await checkOnSale(
        deps,
        lines.map((line) => line.goodsId),
      )
    : new Set<string>();
  const merging = lines.filter((line) => onSale.has(line.goodsId));
  const refused = await deps.carts.locked(userId, async (tx, current) => {
    const goodsIds = new Set([...current.map((row) => row.goods_id), ...merging.map((line) => line.goodsId)]);
    if (goodsIds.size > MAX_LINES) return tooManyLines();
    for (const line of merging) await deps.carts.add(tx, userId, line.goodsId, line.quantity, line.checked);
    return undefined;
  });
  return refused ?? viewCart(deps, userId);
}

/** The checked lines, as an order's lines; an error when nothing is checked. */
export async function checkedLines(carts: CartRepository, userId: string): Promise<OrderLineInput[] | DomainError> {
  const checked = (await carts.items(userId)).filter((row: CartRow) => row.checked);
  if (checked.length === 0) return new DomainError(ErrorCode.CART_EMPTY, 'no checked items in the cart');
  return checked.map((row) => ({ goodsId: row.goods_id, quantity: row.quantity }));
}
