/**
 * Sign-in sessions (docs/security.md): a refresh token per sign-in, stored as a hash and rotated
 * at every refresh; the front doors sign short-lived access tokens naming the session and the
 * user's token version, and refuse them once the session ended or the version moved on.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import { busyOr, getUser, PASSWORD_MAX, PASSWORD_MIN, type User } from './accounts';
import { hashPassword, verifyPassword } from './passwords';
import type { UserRepository } from './ports';
import type { SessionRepository } from './session-ports';

export interface SessionSettings {
  /** How long a refresh token stays usable without being used (each refresh starts it again). */
  refreshTtlSeconds: number;
}

export interface StartedSession {
  sessionId: string;
  refreshToken: string;
  refreshExpiresAt: string;
  tokenVersion: string;
  user: User;
}

/** No access token lives longer than this (the front doors' JWT_TTL_SECONDS is capped to it). */
export const ACCESS_TOKEN_MAX_SECONDS = 3_600;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const sessionEnded = () => new DomainError(ErrorCode.UNAUTHENTICATED, 'this session has ended: sign in again');

export interface SessionDeps {
  users: UserRepository;
  sessions: SessionRepository;
  ids: SnowflakeGenerator;
  settings: SessionSettings;
}

/** The session as the front door needs it; `tokenVersion` as the caller read it with the user's standing. */
async function answer(
  deps: SessionDeps,
  session: { id: string; secret: string; expiresAt: Date; userId: string; tokenVersion: string },
): Promise<StartedSession | DomainError> {
  const user = await getUser(deps.users, session.userId);
  if (user instanceof DomainError) return user;
  return {
    sessionId: session.id,
    refreshToken: `${session.id}.${session.secret}`,
    refreshExpiresAt: session.expiresAt.toISOString(),
    tokenVersion: session.tokenVersion,
    user,
  };
}

const expiry = (settings: SessionSettings) => new Date(Date.now() + settings.refreshTtlSeconds * 1_000);

/** A new session of a user who just signed in (the front door called Authenticate first). */
export async function startSession(deps: SessionDeps, userId: string): Promise<StartedSession | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  const standing = await deps.sessions.standingRow(userId);
  if (!standing) return new DomainError(ErrorCode.NOT_FOUND, `user ${userId} not found`);
  if (standing.banned) return new DomainError(ErrorCode.USER_BANNED, 'this account is banned');
  const id = deps.ids.next();
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = expiry(deps.settings);
  await deps.sessions.insertSession({ id, userId, secretHash: hashOf(secret), expiresAt });
  return answer(deps, { id, secret, expiresAt, userId, tokenVersion: standing.tokenVersion });
}

/**
 * A new refresh token for the session (the old one stops working). A secret that does not match
 * is an old one presented again, so someone else holds the session: it ends.
 */
export async function refreshSession(deps: SessionDeps, refreshToken: string): Promise<StartedSession | DomainError> {
  const [sessionId, secret] = refreshToken.split('.');
  if (!sessionId || !secret || !isSnowflakeId(sessionId) || refreshToken.length > 200) return sessionEnded();
  const newSecret = randomBytes(32).toString('base64url');
  const expiresAt = expiry(deps.settings);
  const outcome = await deps.sessions.transaction(async (tx) => {
    const row = await deps.sessions.lockSession(tx, sessionId);
    if (!row || row.ended_at !== null || row.expires_at.getTime() <= Date.now()) return 'ended' as const;
    if (!sameHash(row.secret_hash, hashOf(secret))) {
      await deps.sessions.endSession(sessionId, String(row.user_id), 'refresh-token-reused', tx);
      return 'reused' as const;
    }
    const standing = await deps.sessions.standingRow(String(row.user_id));
    if (!standing || standing.banned) return 'ended' as const;
    await deps.sessions.rotateSecret(tx, sessionId, hashOf(newSecret), expiresAt);
    return { userId: String(row.user_id), tokenVersion: standing.tokenVersion };
  });
  if (typeof outcome === 'string') return sessionEnded();
  return answer(deps, { id: sessionId, secret: newSecret, expiresAt, ...outcome });
}

/** Sign-out: the session ends (a repeat, or another user's session id, changes nothing). */
export async function endSession(deps: SessionDeps, input: { userId: string; sessionId: string }): Promise<DomainError | undefined> {
  if (!isSnowflakeId(input.userId) || !isSnowflakeId(input.sessionId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user or session id');
  await deps.sessions.endSession(input.sessionId, input.userId, 'sign-out');
  return undefined;
}

/**
 * A new password, after the current one: the token version moves on (every access token signed
 * before stops working), every session ends, and a new one starts for the caller.
 */
export async function changePassword(
  deps: SessionDeps,
  input: { userId: string; currentPassword: string; newPassword: string },
): Promise<StartedSession | DomainError> {
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (input.newPassword.length < PASSWORD_MIN || input.newPassword.length > PASSWORD_MAX)
    return new DomainError(ErrorCode.INVALID_ARGUMENT, `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  const row = await deps.users.findUser(input.userId);
  if (!row) return new DomainError(ErrorCode.NOT_FOUND, `user ${input.userId} not found`);
  const matches = await busyOr(verifyPassword(input.currentPassword.slice(0, PASSWORD_MAX), row.password_hash));
  if (matches instanceof DomainError) return matches;
  if (!matches) return new DomainError(ErrorCode.UNAUTHENTICATED, 'the current password is wrong');
  const passwordHash = await busyOr(hashPassword(input.newPassword));
  if (passwordHash instanceof DomainError) return passwordHash;
  await deps.sessions.transaction(async (tx) => {
    await deps.sessions.changePassword(tx, input.userId, passwordHash);
    await deps.sessions.endAllSessions(tx, input.userId, 'password-change');
  });
  return startSession(deps, input.userId);
}

/** What the front doors' bearer guard checks (cached a few seconds there). */
export async function standingOf(
  deps: SessionDeps,
  userId: string,
): Promise<{ banned: boolean; tokenVersion: string; endedSessionIds: string[] } | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  const standing = await deps.sessions.standingRow(userId);
  if (!standing) return new DomainError(ErrorCode.NOT_FOUND, `user ${userId} not found`);
  return { ...standing, endedSessionIds: await deps.sessions.endedSince(userId, ACCESS_TOKEN_MAX_SECONDS) };
}
