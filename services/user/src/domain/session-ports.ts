/** What the session domain (sessions.ts) needs of its database: store/session-store.ts. */
import type { Tx } from './ports';

export interface SessionRow {
  id: string;
  user_id: string;
  /** SHA-256 (hex) of the refresh token's secret. */
  secret_hash: string;
  expires_at: Date;
  ended_at: Date | null;
}

export interface SessionRepository {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  insertSession(row: { id: string; userId: string; secretHash: string; expiresAt: Date }): Promise<void>;
  /** Reads the session and locks it until the transaction ends (one refresh at a time). */
  lockSession(tx: Tx, id: string): Promise<SessionRow | undefined>;
  rotateSecret(tx: Tx, id: string, secretHash: string, expiresAt: Date): Promise<void>;
  /** Ends the user's session if it is live; false when it was not (unknown, another user's, ended). */
  endSession(id: string, userId: string, reason: string, tx?: Tx): Promise<boolean>;
  endAllSessions(tx: Tx, userId: string, reason: string): Promise<void>;
  /** The ids of the user's sessions ended within the last `seconds`. */
  endedSince(userId: string, seconds: number): Promise<string[]>;
  /** Sets the password hash and bumps the token version. */
  changePassword(tx: Tx, userId: string, passwordHash: string): Promise<void>;
  standingRow(userId: string): Promise<{ banned: boolean; tokenVersion: string } | undefined>;
}
