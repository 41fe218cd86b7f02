/** Accounts: registration with a hashed password, authentication, reading a user. */
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { formatCents, parseCents } from '@shop/common/money';
import type { UserRepository, UserRow } from './ports';
import { DECOY_HASH, hashPassword, verifyPassword } from './passwords';

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

export type Role = 'CUSTOMER' | 'ADMIN';

export interface User {
  userId: string;
  username: string;
  balance: string;
  points: string;
  role: Role;
}

export function toUser(row: UserRow): User {
  return {
    userId: row.id,
    username: row.username,
    balance: formatCents(parseCents(row.balance)!),
    points: row.points,
    role: row.role === 'ADMIN' ? 'ADMIN' : 'CUSTOMER',
  };
}

/** Creates a user with a hashed password. Invariant: usernames are unique (ALREADY_EXISTS). */
export async function register(
  store: UserRepository,
  ids: SnowflakeGenerator,
  input: { username: string; password: string; role: Role },
): Promise<User | DomainError> {
  if (!USERNAME.test(input.username)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'username must be 3 to 32 letters, digits, "_", "." or "-"');
  if (input.password.length < PASSWORD_MIN || input.password.length > PASSWORD_MAX) {
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  const id = ids.next();
  const inserted = await store.insertUser({ id, username: input.username, passwordHash: await hashPassword(input.password), role: input.role });
  if (!inserted) return new DomainError(ErrorCode.ALREADY_EXISTS, 'username is taken');
  return toUser((await store.findUser(id))!);
}

/** The user whose password matches; one error for an unknown name and a wrong password. */
export async function authenticate(store: UserRepository, input: { username: string; password: string }): Promise<User | DomainError> {
  const row = USERNAME.test(input.username) && input.password.length <= PASSWORD_MAX ? await store.findByUsername(input.username) : undefined;
  const matches = await verifyPassword(input.password.slice(0, PASSWORD_MAX), row?.password_hash ?? DECOY_HASH);
  if (!row || !matches) return new DomainError(ErrorCode.UNAUTHENTICATED, 'wrong username or password');
  return toUser(row);
}

export async function getUser(store: UserRepository, userId: string): Promise<User | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  const row = await store.findUser(userId);
  return row ? toUser(row) : new DomainError(ErrorCode.NOT_FOUND, `user ${userId} not found`);
}
