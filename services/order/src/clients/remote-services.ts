/**
 * The placement's view of the goods, coupon and user services, over Dubbo-style RPC. Expected
 * refusals (AppError with a shop code) become DomainError values; anything else is thrown.
 */
import { AppError, DomainError, ErrorCode } from '@shop/common/errors';
import type { RpcClient } from '@shop/common/rpc';
import type { couponContract, goodsContract, userContract } from '@shop/contracts';
import type { Catalogue, Reservations } from '../domain/ports';

export interface RemoteClients {
  goods: RpcClient<typeof goodsContract.definition>;
  coupon: RpcClient<typeof couponContract.definition>;
  user: RpcClient<typeof userContract.definition>;
}

async function refusalOf(call: Promise<unknown>): Promise<void | DomainError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError && error.code !== ErrorCode.INTERNAL && error.code !== ErrorCode.UNAVAILABLE)
      return new DomainError(error.code, error.message);
    throw error;
  }
}

export function remoteCatalogue(clients: RemoteClients): Catalogue {
  return {
    async goods(goodsIds) {
      const { goods } = await clients.goods.batchGetGoods({ goodsIds });
      return goods.map(({ goodsId, name, price, onSale, stock }) => ({ goodsId, name, price, onSale, stock }));
    },
    async coupon(couponId) {
      try {
        const { userId, amount, used } = await clients.coupon.getCoupon({ couponId });
        return { userId, amount, used };
      } catch (error) {
        if (error instanceof AppError && error.code === ErrorCode.NOT_FOUND) return undefined;
        throw error;
      }
    },
    balance: async (userId) => (await clients.user.getUser({ userId })).balance,
  };
}

export function remoteReservations(clients: RemoteClients): Reservations {
  return {
    reduceStock: (orderId, lines) => refusalOf(clients.goods.reduceStock({ orderId, lines })),
    useCoupon: (orderId, userId, couponId) => refusalOf(clients.coupon.useCoupon({ orderId, userId, couponId })),
    reduceBalance: (orderId, userId, amount) => refusalOf(clients.user.reduceBalance({ orderId, userId, amount })),
  };
}
