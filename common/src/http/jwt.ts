/**
 * Session tokens of the front doors: HS256 JWTs signed with JWT_SECRET, carrying the user id,
 * name and role. Stateless, so every front-door instance accepts every token.
 */
import { jwtVerify, SignJWT } from 'jose';

export type Role = 'CUSTOMER' | 'ADMIN';

export interface Principal {
  userId: string;
  username: string;
  role: Role;
}

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(principal: Principal): Promise<string> {
    return new SignJWT({ username: principal.username, role: principal.role })
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
      const { sub, username, role } = payload;
      if (typeof sub !== 'string' || typeof username !== 'string' || (role !== 'CUSTOMER' && role !== 'ADMIN')) return undefined;
      return { userId: sub, username, role };
    } catch {
      return undefined;
    }
  }
}
