/** Accounts: registration with a hashed password, authentication, reading and listing users, bans. */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode, refusable, refuse } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import type { UserRepository, UserRow } from './ports';
import { DECOY_HASH, hashPassword, verifyPassword } from './passwords';
import { WorkQueueFull } from './work-queue';

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export type Role = 'CUSTOMER' | 'ADMIN';

export interface User {
  userId: string;
  username: string;
  balance: string;
  points: string;
  role: Role;
  banned: boolean;
  /** Why the user was banned; empty when not. */
  banReason: string;
  /** ISO-8601, UTC. */
  createdAt: string;
}

export function toUser(row: UserRow): User {
  return {
    userId: row.id,
    username: row.username,
    balance: formatCents(parseCents(row.balance)!),
    points: row.points,
    role: row.role === 'ADMIN' ? 'ADMIN' : 'CUSTOMER',
    banned: row.banned_at !== null,
    banReason: row.banned_at !== null ? (row.ban_reason ?? '') : '',
    createdAt: row.created_at.toISOString(),
  };
}

/** Creates a user with a hashed password. Invariant: usernames are unique (ALREADY_EXISTS). */
/** The hashing's result, or UNAVAILABLE when too many sign-ins and sign-ups are waiting already. */
export async function busyOr<T>(hashing: Promise<T>): Promise<T | DomainError> {
  try {
    return await hashing;
  } catch (error) {
    if (error instanceof WorkQueueFull) return new DomainError(ErrorCode.UNAVAILABLE, 'too many sign-ins at this moment; try again in a second');
    throw error;
  }
}

export async function register(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { username: string; password: string; role: Role },
): Promise<User | DomainError> {
  if (!USERNAME.test(input.username)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'username must be 3 to 32 letters, digits, "_", "." or "-"');
  if (input.password.length < PASSWORD_MIN || input.password.length > PASSWORD_MAX) {
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  const passwordHash = await busyOr(hashPassword(input.password));
  if (passwordHash instanceof DomainError) return passwordHash;
  const id = ids.next();
  const inserted = await store.insertUser({ id, username: input.username, passwordHash, role: input.role });
  if (!inserted) return new DomainError(ErrorCode.ALREADY_EXISTS, 'username is taken');
  return toUser((await store.findUser(id))!);
}

/**
 * The user whose password matches; one error for an unknown name and a wrong password. A banned
 * user is refused (USER_BANNED) only after the password matched: the ban is not told to whoever
 * merely knows the name.
 */
export async function authenticate(store: UserRepository, input: { username: string; password: string }): Promise<User | DomainError> {
  const row = USERNAME.test(input.username) && input.password.length <= PASSWORD_MAX ? await store.findByUsername(input.username) : undefined;
  const matches = await busyOr(verifyPassword(input.password.slice(0, PASSWORD_MAX), row?.password_hash ?? DECOY_HASH));
  if (matches instanceof DomainError) return matches;
  if (!row || !matches) return new DomainError(ErrorCode.UNAUTHENTICATED, 'wrong username or password');
  if (row.banned_at !== null) return new DomainError(ErrorCode.USER_BANNED, 'this account is banned');
  return toUser(row);
}

export async function getUser(store: UserRepository, userId: string): Promise<User | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  const row = await store.findUser(userId);
  return row ? toUser(row) : new DomainError(ErrorCode.NOT_FOUND, `user ${userId} not found`);
}

const MAX_PAGE = 10_000;
const MAX_PAGE_SIZE = 100;

/** Admin: a page of users, newest first; `query` matches part of the username. */
export async function listUsers(
  store: UserRepository,
  input: { page: number; size: number; query: string },
): Promise<{ items: User[]; total: number } | DomainError> {
  const page = input.page || 1;
  const size = input.size || 20;
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE) return new DomainError(ErrorCode.INVALID_ARGUMENT, `page must be 1 to ${MAX_PAGE}`);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) return new DomainError(ErrorCode.INVALID_ARGUMENT, `size must be 1 to ${MAX_PAGE_SIZE}`);
  const query = input.query.trim();
  if (query.length > 32) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'query must be at most 32 characters (a username is)');
  const { rows, total } = await store.listUsers((page - 1) * size, size, query);
  return { items: rows.map(toUser), total };
}

const REASON_MAX = 200;

/**
 * Admin: bans a user (a reason of 1 to 200 characters required) or lets them back. Admins cannot
 * be banned (USER_STATE). Banning a banned user, or unbanning one who is not, changes nothing
 * and answers the user as they are (a repeat). Every change is logged with who and why.
 */
export async function setBanned(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { userId: string; operatorId: string; banned: boolean; reason: string },
): Promise<User | DomainError> {
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (!isSnowflakeId(input.operatorId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid operator id');
  const reason = input.reason.trim();
  if ([...reason].length > REASON_MAX) return new DomainError(ErrorCode.INVALID_ARGUMENT, `reason must be at most ${REASON_MAX} characters`);
  if (input.banned && reason.length === 0) return new DomainError(ErrorCode.INVALID_ARGUMENT, `a reason of 1 to ${REASON_MAX} characters is required to ban`);
  const changed = await refusable(
    withDeadlockRetry(() =>
      store.transaction(async (tx) => {
        const row = await store.lockUser(tx, input.userId);
        if (!row) return refuse(ErrorCode.NOT_FOUND, `user ${input.userId} not found`);
        if (row.role === 'ADMIN') refuse(ErrorCode.USER_STATE, 'an admin cannot be banned');
        if ((row.banned_at !== null) === input.banned) return;
        await store.setBan(tx, { logId: ids.next(), userId: input.userId, operatorId: input.operatorId, banned: input.banned, reason });
      }),
    ),
  );
  if (changed instanceof DomainError) return changed;
  return toUser((await store.findUser(input.userId))!);
}
