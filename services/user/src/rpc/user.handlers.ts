/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { orThrow } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { ServiceHandlers } from '@shop/common/rpc';
import { userContract } from '@shop/contracts';
import { user as proto } from '@shop/proto';
import { authenticate, getUser, register, type User } from '../domain/accounts';
import { recharge, reduceBalance, refundBalance } from '../domain/balance';
import { addPoints, deductPoints } from '../domain/points';
import type { UserStore } from '../store/user-store';

export function userHandlers(store: UserStore, ids: SnowflakeGenerator): ServiceHandlers<typeof userContract.definition> {
  return {
    register: async ({ username, password, role }) =>
      toProtoUser(orThrow(await register(store, ids, { username, password, role: role === proto.Role.ROLE_ADMIN ? 'ADMIN' : 'CUSTOMER' }))),
    authenticate: async (request) => toProtoUser(orThrow(await authenticate(store, request))),
    getUser: async ({ userId }) => toProtoUser(orThrow(await getUser(store, userId))),
    recharge: async (request) => toProtoUser(orThrow(await getUserAfter(store, await recharge(store, ids, request), request.userId))),
    reduceBalance: async (request) => orThrow(await reduceBalance(store, ids, request)),
    refundBalance: async (request) => orThrow(await refundBalance(store, ids, request)),
    addPoints: async (request) => orThrow(await addPoints(store, ids, request)),
    deductPoints: async (request) => orThrow(await deductPoints(store, ids, request)),
  };
}

const toProtoUser = (user: User): proto.User => ({ ...user, role: user.role === 'ADMIN' ? proto.Role.ROLE_ADMIN : proto.Role.ROLE_CUSTOMER });

/** Recharge answers with the user as it is after the change. */
async function getUserAfter(store: UserStore, change: Awaited<ReturnType<typeof recharge>>, userId: string) {
  return 'applied' in change ? getUser(store, userId) : change;
}
