/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { orThrow } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { ServiceHandlers } from '@shop/common/rpc';
import { goodsContract } from '@shop/contracts';
import { batchGetGoods, createGoods, getGoods, listGoods, updateGoods } from '../domain/catalog';
import { reduceStock, releaseStock, returnStock } from '../domain/stock';
import { goods } from '@shop/proto';
import type { GoodsSort } from '../domain/ports';
import type { GoodsStore } from '../store/goods-store';

const SORT: Record<goods.GoodsSort, GoodsSort> = {
  [goods.GoodsSort.GOODS_SORT_UNSPECIFIED]: 'ID',
  [goods.GoodsSort.NEWEST]: 'NEWEST',
  [goods.GoodsSort.PRICE_ASC]: 'PRICE_ASC',
  [goods.GoodsSort.PRICE_DESC]: 'PRICE_DESC',
  [goods.GoodsSort.STOCK_ASC]: 'STOCK_ASC',
  [goods.GoodsSort.UNRECOGNIZED]: 'ID',
};

export function goodsHandlers(store: GoodsStore, ids: SnowflakeGenerator): ServiceHandlers<typeof goodsContract.definition> {
  return {
    getGoods: async ({ goodsId }) => orThrow(await getGoods(store, goodsId)),
    batchGetGoods: async ({ goodsIds }) => ({ goods: orThrow(await batchGetGoods(store, goodsIds)) }),
    listGoods: async ({ page, size, query, includeOffSale, sort }) => orThrow(await listGoods(store, page, size, query, { includeOffSale, sort: SORT[sort] })),
    updateGoods: async ({ name, price, onSale, ...change }) => orThrow(await updateGoods(store, { ...change, name, price, onSale })),
    createGoods: async (request) => orThrow(await createGoods(store, ids, request)),
    reduceStock: async ({ orderId, lines }) => orThrow(await reduceStock(store, orderId, lines)),
    releaseStock: async ({ orderId }) => orThrow(await releaseStock(store, orderId)),
    returnStock: async (request) => orThrow(await returnStock(store, request)),
  };
}
