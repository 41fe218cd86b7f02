/**
 * Bearer tokens for the fuzzers. order-web issues HS256 JWTs signed with JWT_SECRET; locally that
 * is the development default (common/src/http/web-config.ts), so the fuzzer can also mint the
 * tokens a client could never get honestly: expired ones, and the hostile ones below. Only the
 * fields the front doors read are written (sub, username, role, iat, exp).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { DEVELOPMENT_JWT_SECRET } from '@shop/common/http';

export type Role = 'CUSTOMER' | 'ADMIN';

export interface Identity {
  userId: string;
  username: string;
  role: Role;
}

/** The secret the front doors verify with: JWT_SECRET if this process was given it, else the development default. */
export const jwtSecret = () => process.env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET;

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** An HS256 JWT of the identity, valid from `issuedAt` for `ttlSeconds` (negative: already expired). */
/** The session id of minted tokens (the guard refuses only sessions that ended). */
export const MINTED_SESSION_ID = '1';

export function mintToken(identity: Identity, options: { secret?: string; issuedAt?: number; ttlSeconds?: number; alg?: string } = {}): string {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: options.alg ?? 'HS256', typ: 'JWT' }));
  const payload = base64url(
    // A session nobody ended, at the version of a user whose password never changed.
    JSON.stringify({
      username: identity.username,
      role: identity.role,
      sub: identity.userId,
      sid: MINTED_SESSION_ID,
      ver: '0',
      iat: issuedAt,
      exp: issuedAt + (options.ttlSeconds ?? 3600),
    }),
  );
  if (options.alg === 'none') return `${header}.${payload}.`;
  const signature = createHmac('sha256', options.secret ?? jwtSecret())
    .update(`${header}.${payload}`)
    .digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The payload of a JWT, unverified (only to read back the subject of a token we were given). */
export function tokenSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the Authorization header carries. The valid kinds are the ones a request is counted as
 * "carrying a valid token" for; the others must all be refused with 401 (403 for a customer's
 * token on an admin route).
 */
export const VALID_TOKEN_KINDS = ['customer', 'admin', 'real-admin'] as const;
export const HOSTILE_TOKEN_KINDS = [
  'customer-on-admin',
  'expired',
  'other-secret',
  'other-secret-admin',
  'alg-none',
  'alg-none-admin',
  'malformed',
  'missing',
  'wrong-scheme',
  'lowercase-scheme',
  'truncated-signature',
  'huge',
] as const;
export type ValidTokenKind = (typeof VALID_TOKEN_KINDS)[number];
export type TokenKind = ValidTokenKind | (typeof HOSTILE_TOKEN_KINDS)[number];

export const isValidTokenKind = (kind: TokenKind): kind is ValidTokenKind => (VALID_TOKEN_KINDS as readonly string[]).includes(kind);

export interface Credentials {
  /** The secret the front doors verify with (JWT_SECRET; the development default locally). */
  secret: string;
  customers: { identity: Identity; token: string; password: string }[];
  /** A token with the ADMIN role whose subject is a fuzz user: what an admin token does as a customer lands on fuzz rows. */
  admin: { identity: Identity; token: string };
  /** The real admin's token (login), used on admin routes only (its own cart and orders are not ours). */
  realAdmin: { identity: Identity; token: string };
}

const OTHER_SECRET = 'not-the-secret-of-this-shop-0123456789-abcdef';

/**
 * The Authorization header for a kind of token, for the caller picked by `pick` among the
 * customers (and the user id the request then acts as, for picking its own ids), or undefined
 * for no header at all.
 */
export function authorization(kind: TokenKind, credentials: Credentials, pick: number): { header?: string; actsAs?: string } {
  const customer = credentials.customers[pick % credentials.customers.length]!;
  const bearer = (token: string) => `Bearer ${token}`;
  const adminClaim: Identity = { ...customer.identity, role: 'ADMIN' };
  switch (kind) {
    case 'customer':
    case 'customer-on-admin':
      return { header: bearer(customer.token), actsAs: customer.identity.userId };
    case 'admin':
      return { header: bearer(credentials.admin.token), actsAs: credentials.admin.identity.userId };
    case 'real-admin':
      return { header: bearer(credentials.realAdmin.token), actsAs: credentials.realAdmin.identity.userId };
    case 'expired':
      return { header: bearer(mintToken(customer.identity, { secret: credentials.secret, issuedAt: Math.floor(Date.now() / 1000) - 7200, ttlSeconds: 3600 })) };
    case 'other-secret':
      return { header: bearer(mintToken(customer.identity, { secret: OTHER_SECRET })) };
    case 'other-secret-admin':
      return { header: bearer(mintToken(adminClaim, { secret: OTHER_SECRET })) };
    case 'alg-none':
      return { header: bearer(mintToken(customer.identity, { alg: 'none' })) };
    case 'alg-none-admin':
      return { header: bearer(mintToken(adminClaim, { alg: 'none' })) };
    case 'malformed':
      return { header: bearer(MALFORMED[pick % MALFORMED.length]!) };
    case 'missing':
      return {};
    case 'wrong-scheme':
      return { header: `${['Basic', 'Token', 'JWT', 'Bearer:'][pick % 4]} ${customer.token}` };
    case 'lowercase-scheme':
      // RFC 7235 makes the scheme case-insensitive; the front doors require "Bearer ": a 401, never a 5xx.
      return { header: `bearer ${customer.token}` };
    case 'truncated-signature':
      return { header: bearer(customer.token.slice(0, -3)) };
    case 'huge':
      return { header: bearer(`${customer.token}.${randomBytes(4000).toString('base64url')}`) };
  }
}

const MALFORMED = [
  '',
  '.',
  '..',
  'a.b.c',
  'eyJhbGciOiJIUzI1NiJ9',
  'eyJhbGciOiJIUzI1NiJ9..',
  'eyJhbGciOiJIUzI1NiJ9.e30.',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwicm9sZSI6IkFETUlOIn0.',
  'null',
  'undefined',
  '{"alg":"none"}',
  '%00',
  'Bearer Bearer',
  '\u00e9\u00e8',
  '0'.repeat(300),
];
