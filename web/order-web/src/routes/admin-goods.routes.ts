/** The admin's goods: list, create, change (with a reason), categories and pictures. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '@shop/common/errors';
import { documented, idempotencyHeaders, moneyString, object, params, principalOf, requireAdmin, requireUser, type TokenService } from '@shop/common/http';
import type { Services } from '../clients';
import { categorySchema, goodsSchema, goodsView, pageOf } from '../views';
import { goodsListQuery, goodsPage, type GoodsListQuery } from './goods.routes';

/** The pictures an admin may upload, and their weight: a phone's photo, not a RAW file. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const admin = (summary: string, response: object, status = 200, description = '') =>
  documented('admin', summary, { auth: true, response, status, description: `Admins only (403 FORBIDDEN otherwise). ${description}`.trim() });

const goodsFields = {
  name: { type: 'string', minLength: 1, maxLength: 128 },
  price: moneyString,
  categoryId: { type: 'string', pattern: '^([1-9][0-9]{0,19})?$', description: 'empty: in no category' },
  description: { type: 'string', maxLength: 2000 },
} as const;

interface GoodsChangeBody {
  name?: string;
  price?: string;
  onSale?: boolean;
  stockDelta?: number;
  categoryId?: string;
  description?: string;
  reason: string;
}

export function adminGoodsRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const preHandler = [requireUser(tokens), requireAdmin];

  app.get<{ Querystring: GoodsListQuery }>(
    '/api/v1/admin/goods',
    {
      preHandler,
      schema: { ...admin('Every goods, on sale or not; q searches the names, category filters', pageOf(goodsSchema)), querystring: goodsListQuery },
    },
    async (request) => goodsPage(services, request.query, true),
  );

  app.post<{ Body: { name: string; price: string; stock: number; categoryId?: string; description?: string }; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/admin/goods',
    {
      preHandler,
      schema: {
        ...admin('Create goods on sale with an initial stock', goodsSchema, 201, 'The same Idempotency-Key answers the goods it created.'),
        headers: idempotencyHeaders,
        body: object({ ...goodsFields, stock: { type: 'integer', minimum: 0, maximum: 10_000_000 } }, ['name', 'price', 'stock']),
      },
    },
    async (request, reply) => {
      const { name, price, stock, categoryId = '', description = '' } = request.body;
      const created = await services.goods.createGoods({ requestId: request.headers['idempotency-key'] ?? '', name, price, stock, categoryId, description });
      return reply.status(201).send(goodsView(created));
    },
  );

  app.patch<{ Params: { goodsId: string }; Body: GoodsChangeBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/admin/goods/:goodsId',
    {
      preHandler,
      schema: {
        ...admin('Change a goods: name, price, on/off sale, category, description, stock by a delta; with a reason kept in its change log', goodsSchema),
        headers: { ...idempotencyHeaders, required: ['idempotency-key'] },
        params: params('goodsId'),
        body: object(
          {
            ...goodsFields,
            onSale: { type: 'boolean' },
            stockDelta: { type: 'integer', minimum: -10_000_000, maximum: 10_000_000, description: 'units added (positive) or taken away (negative)' },
            reason: { type: 'string', minLength: 1, maxLength: 200 },
          },
          ['reason'],
        ),
      },
    },
    async (request) => {
      const { reason, name, price, onSale, categoryId, description, stockDelta = 0 } = request.body;
      return goodsView(
        await services.goods.updateGoods({
          goodsId: request.params.goodsId,
          requestId: request.headers['idempotency-key']!,
          operatorId: principalOf(request).userId,
          reason,
          name,
          price,
          onSale,
          categoryId,
          description,
          stockDelta,
        }),
      );
    },
  );

  app.post<{ Body: { name: string } }>(
    '/api/v1/admin/categories',
    {
      preHandler,
      schema: {
        ...admin('A category by name', categorySchema, 201, 'The same name (case and spacing aside) answers the same category.'),
        body: object({ name: { type: 'string', minLength: 1, maxLength: 64 } }),
      },
    },
    async (request, reply) => reply.status(201).send(await services.goods.createCategory({ name: request.body.name })),
  );

  // The picture travels as the body itself (no multipart): what `fetch(url, {body: file})` sends.
  void app.register(async (uploads) => {
    uploads.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES }, (_request, body, done) => done(null, body));
    // Everywhere else a body that is not JSON is 415 INVALID_ARGUMENT (a stable code); here the
    // admin's page says which files it takes, so the refusal has a code of its own.
    uploads.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') throw error;
      return reply.status(415).send({
        code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        message: `a picture is ${IMAGE_TYPES.join(', ')}, not ${request.headers['content-type'] ?? '(none)'}`,
      });
    });
    uploads.put<{ Params: { goodsId: string }; Body: Buffer }>(
      '/api/v1/admin/goods/:goodsId/image',
      {
        preHandler,
        bodyLimit: MAX_IMAGE_BYTES,
        schema: {
          ...admin(
            "Set the goods' picture",
            goodsSchema,
            200,
            `The body is the file (Content-Type ${IMAGE_TYPES.join(', ')}; at most 5 MiB): resized, stored, served under /images/goods/. 400 INVALID_IMAGE, 413 PAYLOAD_TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE.`,
          ),
          params: params('goodsId'),
        },
      },
      async (request) => {
        // No body at all (no Content-Type) reaches the route without going through the parser.
        if (!Buffer.isBuffer(request.body))
          throw new AppError(ErrorCode.INVALID_IMAGE, `send the picture itself as the body, with Content-Type ${IMAGE_TYPES.join(', ')}`);
        return goodsView(
          await services.goods.putGoodsImage({ goodsId: request.params.goodsId, operatorId: principalOf(request).userId, content: request.body }),
        );
      },
    );
  });
}
