import type { FastifyInstance } from 'fastify';
import { documented, principalOf, requireUser, type TokenService } from '@shop/common/http';
import type { Services } from '../clients';
import { couponSchema, couponView, meSchema, meView } from '../views';

export function accountRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const preHandler = requireUser(tokens);
  app.get(
    '/api/v1/me',
    { preHandler, schema: documented('account', 'The signed-in user: balance and points', { auth: true, response: meSchema }) },
    async (request) => meView(await services.user.getUser({ userId: principalOf(request).userId })),
  );
  app.get(
    '/api/v1/me/coupons',
    { preHandler, schema: documented('account', "The user's coupons", { auth: true, response: { type: 'array', items: couponSchema } }) },
    async (request) => {
      const { coupons } = await services.coupon.listUserCoupons({ userId: principalOf(request).userId });
      return coupons.map(couponView);
    },
  );
}
