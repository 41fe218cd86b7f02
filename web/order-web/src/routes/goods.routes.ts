import type { FastifyInstance } from 'fastify';
import { documented, object, pageQuery, params } from '@shop/common/http';
import { goods } from '@shop/proto';
import type { Services } from '../clients';
import { goodsSchema, goodsView, pageOf } from '../views';

/** The list's orders, by the name the query string gives them. */
export const GOODS_SORTS: Record<string, goods.GoodsSort> = {
  oldest: goods.GoodsSort.GOODS_SORT_UNSPECIFIED,
  newest: goods.GoodsSort.NEWEST,
  'price-asc': goods.GoodsSort.PRICE_ASC,
  'price-desc': goods.GoodsSort.PRICE_DESC,
  'stock-asc': goods.GoodsSort.STOCK_ASC,
};

export const goodsListQuery = object(
  {
    page: pageQuery,
    size: pageQuery,
    q: { type: 'string', maxLength: 64 },
    sort: { type: 'string', enum: Object.keys(GOODS_SORTS), description: 'oldest first by default' },
  },
  [],
);

export interface GoodsListQuery {
  page?: string;
  size?: string;
  q?: string;
  sort?: string;
}

/** A page of goods as the list routes answer it: the shop's (on sale) or the admin's (all). */
export async function goodsPage(services: Services, { page, size, q, sort }: GoodsListQuery, includeOffSale: boolean) {
  const { items, total } = await services.goods.listGoods({
    page: Number(page ?? 1),
    size: Number(size ?? 20),
    query: q ?? '',
    includeOffSale,
    sort: GOODS_SORTS[sort ?? 'oldest']!,
  });
  return { items: items.map(goodsView), total };
}

export function goodsRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: GoodsListQuery }>(
    '/api/v1/goods',
    { schema: { ...documented('goods', 'Goods on sale; q searches the names', { response: pageOf(goodsSchema) }), querystring: goodsListQuery } },
    async (request) => goodsPage(services, request.query, false),
  );

  app.get<{ Params: { goodsId: string } }>(
    '/api/v1/goods/:goodsId',
    { schema: { ...documented('goods', 'One goods', { response: goodsSchema }), params: params('goodsId') } },
    async (request) => goodsView(await services.goods.getGoods({ goodsId: request.params.goodsId })),
  );
}
