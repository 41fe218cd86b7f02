/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { orThrow } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { ServiceHandlers } from '@shop/common/rpc';
import { goodsContract } from '@shop/contracts';
import { batchGetGoods, createCategory, createGoods, getGoods, listCategories, listGoods, updateGoods } from '../domain/catalog';
import { getGoodsImage, putGoodsImage } from '../domain/images';
import { reduceStock, releaseStock, returnStock } from '../domain/stock';
import { goods } from '@shop/proto';
import type { GoodsSort, ImageResizer, ImageStore } from '../domain/ports';
import type { GoodsStore } from '../store/goods-store';

const SORT: Record<goods.GoodsSort, GoodsSort> = {
  [goods.GoodsSort.GOODS_SORT_UNSPECIFIED]: 'ID',
  [goods.GoodsSort.NEWEST]: 'NEWEST',
  [goods.GoodsSort.PRICE_ASC]: 'PRICE_ASC',
  [goods.GoodsSort.PRICE_DESC]: 'PRICE_DESC',
  [goods.GoodsSort.STOCK_ASC]: 'STOCK_ASC',
  [goods.GoodsSort.UNRECOGNIZED]: 'ID',
};

export function goodsHandlers(
  store: GoodsStore,
  ids: SnowflakeGenerator,
  images: ImageStore,
  resizer: ImageResizer,
): ServiceHandlers<typeof goodsContract.definition> {
  return {
    getGoods: async ({ goodsId }) => orThrow(await getGoods(store, goodsId)),
    batchGetGoods: async ({ goodsIds }) => ({ goods: orThrow(await batchGetGoods(store, goodsIds)) }),
    listGoods: async ({ page, size, query, includeOffSale, sort, categoryId }) =>
      orThrow(await listGoods(store, page, size, query, { includeOffSale, sort: SORT[sort], categoryId })),
    updateGoods: async ({ name, price, onSale, categoryId, description, ...change }) =>
      orThrow(await updateGoods(store, { ...change, name, price, onSale, categoryId, description })),
    listCategories: async () => ({ categories: await listCategories(store) }),
    createCategory: async (request) => orThrow(await createCategory(store, ids, request)),
    putGoodsImage: async ({ goodsId, operatorId, content }) =>
      orThrow(await putGoodsImage(store, images, resizer, { goodsId, operatorId, content: Buffer.from(content) })),
    getGoodsImage: async ({ imageKey, size }) => orThrow(await getGoodsImage(images, imageKey, size === goods.ImageSize.LARGE ? 'large' : 'small')),
    createGoods: async (request) => orThrow(await createGoods(store, ids, request)),
    reduceStock: async ({ orderId, lines }) => orThrow(await reduceStock(store, orderId, lines)),
    releaseStock: async ({ orderId }) => orThrow(await releaseStock(store, orderId)),
    returnStock: async (request) => orThrow(await returnStock(store, request)),
  };
}
