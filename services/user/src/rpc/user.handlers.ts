/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { orThrow } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { ServiceHandlers } from '@shop/common/rpc';
import { userContract } from '@shop/contracts';
import { user as proto } from '@shop/proto';
import { authenticate, getUser, listUsers, register, setBanned, type User } from '../domain/accounts';
import { deleteAddress, getAddress, listAddresses, saveAddress } from '../domain/addresses';
import { adjustBalance, listAdjustments, recharge, reduceBalance, refundBalance } from '../domain/balance';
import { addPoints, deductPoints } from '../domain/points';
import { changePassword, endSession, refreshSession, standingOf, startSession, type SessionDeps, type StartedSession } from '../domain/sessions';
import type { UserStore } from '../store/user-store';

export function userHandlers(store: UserStore, ids: SnowflakeGenerator, sessions: SessionDeps): ServiceHandlers<typeof userContract.definition> {
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
    listUsers: async (request) => {
      const { items, total } = orThrow(await listUsers(store, request));
      return { items: items.map(toProtoUser), total };
    },
    adjustBalance: async (request) => toProtoUser(orThrow(await adjustBalance(store, ids, request))),
    listAdjustments: async ({ userId }) => ({ items: orThrow(await listAdjustments(store, userId)) }),
    setBanned: async (request) => toProtoUser(orThrow(await setBanned(store, ids, request))),
    listAddresses: async ({ userId }) => ({ items: orThrow(await listAddresses(store, userId)) }),
    getAddress: async (request) => orThrow(await getAddress(store, request)),
    saveAddress: async (request) => orThrow(await saveAddress(store, ids, request)),
    deleteAddress: async (request) => orThrow(await deleteAddress(store, request)),
    startSession: async ({ userId }) => toProtoSession(orThrow(await startSession(sessions, userId))),
    refreshSession: async ({ refreshToken }) => toProtoSession(orThrow(await refreshSession(sessions, refreshToken))),
    endSession: async (request) => {
      orThrow(await endSession(sessions, request));
      return {};
    },
    changePassword: async (request) => toProtoSession(orThrow(await changePassword(sessions, request))),
    getStanding: async ({ userId }) => orThrow(await standingOf(sessions, userId)),
  };
}

const toProtoUser = (user: User): proto.User => ({ ...user, role: user.role === 'ADMIN' ? proto.Role.ROLE_ADMIN : proto.Role.ROLE_CUSTOMER });
const toProtoSession = (session: StartedSession): proto.Session => ({ ...session, user: toProtoUser(session.user) });

/** Recharge answers with the user as it is after the change. */
async function getUserAfter(store: UserStore, change: Awaited<ReturnType<typeof recharge>>, userId: string) {
  return 'applied' in change ? getUser(store, userId) : change;
}
