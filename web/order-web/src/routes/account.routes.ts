import { type FastifyInstance } from 'fastify';
import { principalOf, requireUser, type TokenService } from '@shop/common';
import type { Services } from '../clients';
import { couponView, meView } from '../views';

export function accountRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const guard = { preHandler: requireUser(tokens) };
  app.get('/api/v1/me', guard, async (request) => meView(await services.user.getUser({ userId: principalOf(request).userId })));
  app.get('/api/v1/me/coupons', guard, async (request) => {
    const { coupons } = await services.coupon.listUserCoupons({ userId: principalOf(request).userId });
    return coupons.map(couponView);
  });
}
