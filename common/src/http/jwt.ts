/**
 * Access tokens of the front doors: HS256 JWTs signed with JWT_SECRET, carrying the user id,
 * name and role, the sign-in session (`sid`) and the user's token version (`ver`) they were
 * signed at. Any front-door instance verifies them alone; the bearer guard then refuses those of
 * an ended session or an old version (user-standing.ts), so a sign-out, a password change or a
 * ban reaches tokens already handed out. Short-lived (JWT_TTL_SECONDS): the refresh token of the
 * session (kept by the user service) gets new ones.
 */
import { jwtVerify, SignJWT } from 'jose';

export type Role = 'CUSTOMER' | 'ADMIN';

export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** The sign-in session the token belongs to. */
  sessionId: string;
  /** The user's token version when it was signed (decimal string). */
  tokenVersion: string;
}

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(principal: Principal): Promise<string> {
    return new SignJWT({ username: principal.username, role: principal.role, sid: principal.sessionId, ver: principal.tokenVersion })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The principal of a valid, unexpired token signed with our key; undefined otherwise. */
  async verify(token: string): Promise<Principal | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const { sub, username, role, sid, ver } = payload;
      if (typeof sub !== 'string' || typeof username !== 'string' || (role !== 'CUSTOMER' && role !== 'ADMIN')) return undefined;
      if (typeof sid !== 'string' || typeof ver !== 'string') return undefined;
      return { userId: sub, username, role, sessionId: sid, tokenVersion: ver };
    } catch {
      return undefined;
    }
  }
}
