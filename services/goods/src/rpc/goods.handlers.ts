/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { orThrow } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { ServiceHandlers } from '@shop/common/rpc';
import { goodsContract } from '@shop/contracts';
import { batchGetGoods, createGoods, getGoods, listGoods } from '../domain/catalog';
import { reduceStock, releaseStock, returnStock } from '../domain/stock';
import type { GoodsStore } from '../store/goods-store';

export function goodsHandlers(store: GoodsStore, ids: SnowflakeGenerator): ServiceHandlers<typeof goodsContract.definition> {
  return {
    getGoods: async ({ goodsId }) => orThrow(await getGoods(store, goodsId)),
    batchGetGoods: async ({ goodsIds }) => ({ goods: orThrow(await batchGetGoods(store, goodsIds)) }),
    listGoods: async ({ page, size, query }) => orThrow(await listGoods(store, page, size, query)),
    createGoods: async (request) => orThrow(await createGoods(store, ids, request)),
    reduceStock: async ({ orderId, lines }) => orThrow(await reduceStock(store, orderId, lines)),
    releaseStock: async ({ orderId }) => orThrow(await releaseStock(store, orderId)),
    returnStock: async (request) => orThrow(await returnStock(store, request)),
  };
}
