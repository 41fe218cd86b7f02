/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { AppError, isDomainError, type DomainError, type ServiceHandlers, type SnowflakeGenerator, goodsContract } from '@shop/common';
import { batchGetGoods, createGoods, getGoods, listGoods } from '../domain/catalog';
import { reduceStock, releaseStock } from '../domain/stock';
import type { GoodsStore } from '../store/goods-store';

/** Expected failures (values) become thrown AppErrors, which the RPC server maps to statuses. */
function unwrap<T>(result: T | DomainError): T {
  if (isDomainError(result)) throw AppError.from(result);
  return result;
}

export function goodsHandlers(store: GoodsStore, ids: SnowflakeGenerator): ServiceHandlers<typeof goodsContract.definition> {
  return {
    getGoods: async ({ goodsId }) => unwrap(await getGoods(store, goodsId)),
    batchGetGoods: async ({ goodsIds }) => ({ goods: unwrap(await batchGetGoods(store, goodsIds)) }),
    listGoods: async ({ page, size, query }) => unwrap(await listGoods(store, page, size, query)),
    createGoods: async (request) => unwrap(await createGoods(store, ids, request)),
    reduceStock: async ({ orderId, lines }) => unwrap(await reduceStock(store, orderId, lines)),
    releaseStock: async ({ orderId }) => unwrap(await releaseStock(store, orderId)),
  };
}
