import type { FastifyInstance } from 'fastify';
import { documented, object, pageQuery, params } from '@shop/common/http';
import type { Services } from '../clients';
import { goodsSchema, goodsView, pageOf } from '../views';

const listQuery = object({ page: pageQuery, size: pageQuery, q: { type: 'string', maxLength: 64 } }, []);

export function goodsRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { page?: string; size?: string; q?: string } }>(
    '/api/v1/goods',
    { schema: { ...documented('goods', 'Goods on sale; q searches the names', { response: pageOf(goodsSchema) }), querystring: listQuery } },
    async (request) => {
      const { page, size, q } = request.query;
      const { items, total } = await services.goods.listGoods({ page: Number(page ?? 1), size: Number(size ?? 20), query: q ?? '' });
      return { items: items.map(goodsView), total };
    },
  );

  app.get<{ Params: { goodsId: string } }>(
    '/api/v1/goods/:goodsId',
    { schema: { ...documented('goods', 'One goods', { response: goodsSchema }), params: params('goodsId') } },
    async (request) => goodsView(await services.goods.getGoods({ goodsId: request.params.goodsId })),
  );
}
