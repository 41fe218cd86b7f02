import type { FastifyInstance } from 'fastify';
import { documented, idString, object, params, principalOf, requireUser, type TokenService } from '@shop/common/http';
import { MAX_LINES, MAX_QUANTITY } from '@shop/contracts';
import type { Services } from '../clients';
import { cartSchema, cartView } from '../views';

const quantity = { type: 'integer', minimum: 1, maximum: MAX_QUANTITY } as const;
const checked = { type: 'boolean', description: 'only checked lines are ordered at checkout (default true)' } as const;
const cartDoc = (summary: string, description?: string) => documented('cart', summary, { auth: true, response: cartSchema, description });

export function cartRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const preHandler = requireUser(tokens);
  const userOf = (request: Parameters<typeof principalOf>[0]) => principalOf(request).userId;

  app.get('/api/v1/cart', { preHandler, schema: cartDoc("The user's cart at today's prices") }, async (request) =>
    cartView(await services.order.getCart({ userId: userOf(request) })),
  );

  app.put<{ Params: { goodsId: string }; Body: { quantity: number; checked?: boolean } }>(
    '/api/v1/cart/items/:goodsId',
    {
      preHandler,
      schema: {
        ...cartDoc(
          'Set the quantity and checked flag of a line (adds the goods when missing)',
          `At most ${MAX_LINES} different goods; the goods must be on sale.`,
        ),
        params: params('goodsId'),
        body: object({ quantity, checked }, ['quantity']),
      },
    },
    async (request) =>
      cartView(
        await services.order.putCartItem({
          userId: userOf(request),
          goodsId: request.params.goodsId,
          quantity: request.body.quantity,
          checked: request.body.checked ?? true,
        }),
      ),
  );

  app.delete<{ Params: { goodsId: string } }>(
    '/api/v1/cart/items/:goodsId',
    { preHandler, schema: { ...cartDoc('Remove a line'), params: params('goodsId') } },
    async (request) => cartView(await services.order.removeCartItem({ userId: userOf(request), goodsId: request.params.goodsId })),
  );

  app.delete('/api/v1/cart', { preHandler, schema: cartDoc('Empty the cart') }, async (request) =>
    cartView(await services.order.clearCart({ userId: userOf(request) })),
  );

  app.post<{ Body: { items: { goodsId: string; quantity: number; checked?: boolean }[] } }>(
    '/api/v1/cart/merge',
    {
      preHandler,
      schema: {
        ...cartDoc(
          'Merge a guest cart into the user’s cart (call it right after signing in)',
          'Quantities of the same goods are summed (capped at the maximum); goods no longer on sale are left out; a merge that would pass the line limit changes nothing.',
        ),
        body: object({ items: { type: 'array', maxItems: MAX_LINES, items: object({ goodsId: idString, quantity, checked }, ['goodsId', 'quantity']) } }),
      },
    },
    async (request) =>
      cartView(
        await services.order.mergeCart({
          userId: userOf(request),
          items: request.body.items.map((item) => ({ goodsId: item.goodsId, quantity: item.quantity, checked: item.checked ?? true })),
        }),
      ),
  );
}
