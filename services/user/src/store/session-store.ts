/** SQL of the sign-in sessions (user_session) and the users' token versions. */
import { QueryTypes, type Transaction } from 'sequelize';
import { SqlStore } from '@shop/common/db';
import type { SessionRepository, SessionRow } from '../domain/session-ports';

const SESSION_COLUMNS = 'id, user_id, secret_hash, expires_at, ended_at';

export class SessionStore extends SqlStore implements SessionRepository {
  async insertSession(row: { id: string; userId: string; secretHash: string; expiresAt: Date }): Promise<void> {
    await this.sequelize.query(
      'INSERT INTO user_session (id, user_id, secret_hash, created_at, refreshed_at, expires_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), ?)',
      { replacements: [row.id, row.userId, row.secretHash, row.expiresAt] },
    );
  }

  async lockSession(tx: Transaction, id: string): Promise<SessionRow | undefined> {
    const rows = await this.sequelize.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM user_session WHERE id = ? FOR UPDATE`, {
      replacements: [id],
      type: QueryTypes.SELECT,
      transaction: tx,
    });
    return rows[0];
  }

  async rotateSecret(tx: Transaction, id: string, secretHash: string, expiresAt: Date): Promise<void> {
    await this.sequelize.query('UPDATE user_session SET secret_hash = ?, refreshed_at = UTC_TIMESTAMP(3), expires_at = ? WHERE id = ?', {
      replacements: [secretHash, expiresAt, id],
      transaction: tx,
    });
  }

  async endSession(id: string, userId: string, reason: string, tx?: Transaction): Promise<boolean> {
    const [, affected] = await this.sequelize.query(
      'UPDATE user_session SET ended_at = UTC_TIMESTAMP(3), end_reason = ? WHERE id = ? AND user_id = ? AND ended_at IS NULL',
      { replacements: [reason, id, userId], transaction: tx },
    );
    return (affected as unknown as number) > 0;
  }

  async endAllSessions(tx: Transaction, userId: string, reason: string): Promise<void> {
    await this.sequelize.query('UPDATE user_session SET ended_at = UTC_TIMESTAMP(3), end_reason = ? WHERE user_id = ? AND ended_at IS NULL', {
      replacements: [reason, userId],
      transaction: tx,
    });
  }

  async endedSince(userId: string, seconds: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      'SELECT id FROM user_session WHERE user_id = ? AND ended_at > UTC_TIMESTAMP(3) - INTERVAL ? SECOND',
      { replacements: [userId, seconds], type: QueryTypes.SELECT },
    );
    return rows.map((row) => String(row.id));
  }

  async changePassword(tx: Transaction, userId: string, passwordHash: string): Promise<void> {
    await this.sequelize.query('UPDATE user SET password_hash = ?, token_version = token_version + 1 WHERE id = ?', {
      replacements: [passwordHash, userId],
      transaction: tx,
    });
  }

  async standingRow(userId: string): Promise<{ banned: boolean; tokenVersion: string } | undefined> {
    const rows = await this.sequelize.query<{ banned_at: Date | null; token_version: string }>('SELECT banned_at, token_version FROM user WHERE id = ?', {
      replacements: [userId],
      type: QueryTypes.SELECT,
    });
    return rows[0] && { banned: rows[0].banned_at !== null, tokenVersion: String(rows[0].token_version) };
  }
}
