/**
 * The rules of an order's lines, shared by the order service (which validates the request) and
 * the goods service (which must not trust its caller).
 */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId } from '@shop/common/ids';

export const MAX_LINES = 50;
export const MAX_QUANTITY = 999;

export interface OrderLineInput {
  goodsId: string;
  quantity: number;
}

/**
 * Validates the lines and merges repeated goods (two lines of one goods take their sum), sorted
 * by goods id: a fixed order of row locks keeps concurrent orders from deadlocking each other.
 */
export function normaliseLines(lines: OrderLineInput[]): OrderLineInput[] | DomainError {
  if (lines.length === 0 || lines.length > MAX_LINES) return new DomainError(ErrorCode.INVALID_ARGUMENT, `an order has 1 to ${MAX_LINES} lines`);
  const merged = new Map<string, number>();
  for (const { goodsId, quantity } of lines) {
    if (!isSnowflakeId(goodsId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, `invalid goods id ${JSON.stringify(goodsId)}`);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      return new DomainError(ErrorCode.INVALID_ARGUMENT, `quantity must be 1 to ${MAX_QUANTITY}`);
    }
    merged.set(goodsId, (merged.get(goodsId) ?? 0) + quantity);
  }
  const normalised = [...merged].map(([goodsId, quantity]) => ({ goodsId, quantity }));
  if (normalised.some((line) => line.quantity > MAX_QUANTITY))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `quantity must be 1 to ${MAX_QUANTITY} per goods`);
  return normalised.sort((a, b) => (BigInt(a.goodsId) < BigInt(b.goodsId) ? -1 : 1));
}
