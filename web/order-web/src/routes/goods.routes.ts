import type { FastifyInstance } from 'fastify';
import { documented, object, pageQuery, params } from '@shop/common/http';
import { goods } from '@shop/proto';
import type { Services } from '../clients';
import { categorySchema, goodsSchema, goodsView, pageOf } from '../views';

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
    category: { type: 'string', pattern: '^[1-9][0-9]{0,19}$', description: 'only goods of this category' },
  },
  [],
);

export interface GoodsListQuery {
  page?: string;
  size?: string;
  q?: string;
  sort?: string;
  category?: string;
}

/** A page of goods as the list routes answer it: the shop's (on sale) or the admin's (all). */
export async function goodsPage(services: Services, { page, size, q, sort, category }: GoodsListQuery, includeOffSale: boolean) {
  const { items, total } = await services.goods.listGoods({
    page: Number(page ?? 1),
    size: Number(size ?? 20),
    query: q ?? '',
    includeOffSale,
    sort: GOODS_SORTS[sort ?? 'oldest']!,
    categoryId: category ?? '',
  });
  return { items: items.map(goodsView), total };
}

export function goodsRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: GoodsListQuery }>(
    '/api/v1/goods',
    {
      schema: {
        ...documented('goods', 'Goods on sale; q searches the names, category filters', { response: pageOf(goodsSchema) }),
        querystring: goodsListQuery,
      },
    },
    async (request) => goodsPage(services, request.query, false),
  );

  app.get<{ Params: { goodsId: string } }>(
    '/api/v1/goods/:goodsId',
    { schema: { ...documented('goods', 'One goods', { response: goodsSchema }), params: params('goodsId') } },
    async (request) => goodsView(await services.goods.getGoods({ goodsId: request.params.goodsId })),
  );

  app.get(
    '/api/v1/categories',
    {
      schema: documented('goods', 'The categories, by name, with how many goods on sale each holds', {
        response: { type: 'object', properties: { items: { type: 'array', items: categorySchema } }, required: ['items'] },
      }),
    },
    async () => ({ items: (await services.goods.listCategories({})).categories }),
  );

  app.get<{ Params: { file: string } }>(
    '/images/goods/:file',
    {
      schema: {
        ...documented('goods', "A goods' picture", {
          description: 'Names come from the goods view (image.small, image.large); a name never changes meaning, so answers are cached for a year.',
        }),
        params: object({ file: { type: 'string', pattern: '^[0-9a-f]{32}-(small|large)\\.webp$' } }),
      },
    },
    async (request, reply) => {
      const [imageKey, size] = request.params.file.replace('.webp', '').split('-') as [string, string];
      const etag = `"${imageKey}-${size}"`;
      const cachedForAYear = () => reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return cachedForAYear().status(304).send();
      // Cache headers only on the picture itself: a 404 answered before the picture is stored (a
      // goods whose picture is still being uploaded, or lost) must not be kept by browsers for a year.
      const image = await services.goods.getGoodsImage({ imageKey, size: size === 'large' ? goods.ImageSize.LARGE : goods.ImageSize.SMALL });
      return cachedForAYear().type(image.contentType).send(Buffer.from(image.content));
    },
  );
}
