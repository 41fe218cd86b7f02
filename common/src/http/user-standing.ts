/**
 * A user's standing as a front door's bearer guard needs it: banned or not, the token version,
 * and the sessions ended lately. Tokens are verified alone, so a ban, a sign-out or a password
 * change reaches tokens issued before it only through this check. Each process keeps a small
 * cache of the answers of `lookup` (the user service), asked at most once per user every `ttlMs`
 * (concurrent requests share one question), so the hot path adds no call per request and a ban
 * takes effect within `ttlMs` plus one lookup.
 *
 * When the lookup fails (the user service is down or slow), the last answer is kept a little
 * longer, and a user never looked up passes: a front door does not go down with the user service.
 */
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../log';

/**
 * The deadline a front door gives its standing lookup (GetUser): short, as the request waits for
 * it, and a failed lookup lets the user pass.
 */
export const STANDING_LOOKUP_TIMEOUT_MS = 1_000;

export interface Standing {
  banned: boolean;
  /** The user's token version (an access token signed at another one is refused); unknown: not checked. */
  tokenVersion?: string;
  /** Sessions ended lately: their access tokens are refused. */
  endedSessionIds?: string[];
}

/** What the guard makes of a token's principal: fine, a banned user, or a session that ended. */
export type Verdict = 'ok' | 'banned' | 'ended';

export interface UserStandingOptions {
  /** How long an answer is used before the user is looked up again (default 5 s). */
  ttlMs?: number;
  /** After a failed lookup, how long the previous answer (or "not banned") is used before asking again (default 1 s). */
  retryMs?: number;
  /** Users remembered at most; the oldest entries go first (default 10,000). */
  maxEntries?: number;
  logger?: Logger;
  /** The clock (tests). */
  now?: () => number;
}

interface Entry {
  banned: boolean;
  tokenVersion?: string;
  ended: Set<string>;
  expiresAt: number;
}

export class UserStanding {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry | undefined>>();
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  /**
   * `lookup` answers the user's standing (the user service's GetUser answers a user, which has
   * `banned`); a user it does not know (undefined, or NOT_FOUND / INVALID_ARGUMENT thrown) is not
   * banned.
   */
  constructor(
    private readonly lookup: (userId: string) => Promise<Standing | undefined>,
    private readonly options: UserStandingOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The guard's verdict on a verified token's principal, from the cache while its answer is fresh (a user never looked up passes). */
  async verdict(principal: { userId: string; sessionId: string; tokenVersion: string }): Promise<Verdict> {
    const entry = await this.entryOf(principal.userId);
    if (!entry) return 'ok';
    if (entry.banned) return 'banned';
    if (entry.tokenVersion !== undefined && entry.tokenVersion !== principal.tokenVersion) return 'ended';
    return entry.ended.has(principal.sessionId) ? 'ended' : 'ok';
  }

  /**
   * Records a standing this process just changed (the admin's ban route): a ban is refused here at
   * once; after an unban the user is asked again (the ban moved the token version on).
   */
  remember(userId: string, banned: boolean): void {
    if (!banned) return void this.entries.delete(userId);
    const entry = this.entries.get(userId);
    this.store(userId, { ...(entry ?? { ended: new Set<string>() }), banned, expiresAt: this.now() + this.ttlMs });
  }

  /** A sign-out or a password change this process just made: effective at once here. */
  rememberEnded(userId: string, change: { sessionId?: string; tokenVersion?: string }): void {
    const entry = this.entries.get(userId) ?? { banned: false, ended: new Set<string>(), expiresAt: 0 };
    if (change.sessionId) entry.ended.add(change.sessionId);
    if (change.tokenVersion !== undefined) entry.tokenVersion = change.tokenVersion;
    this.store(userId, { ...entry, expiresAt: this.now() + this.ttlMs });
  }

  private async entryOf(userId: string): Promise<Entry | undefined> {
    const entry = this.entries.get(userId);
    if (entry && entry.expiresAt > this.now()) return entry;
    let asking = this.pending.get(userId);
    if (!asking) {
      asking = this.ask(userId, entry).finally(() => this.pending.delete(userId));
      this.pending.set(userId, asking);
    }
    return asking;
  }

  private async ask(userId: string, previous: Entry | undefined): Promise<Entry | undefined> {
    try {
      const standing = await this.lookup(userId);
      const entry: Entry = {
        banned: standing?.banned ?? false,
        tokenVersion: standing?.tokenVersion,
        ended: new Set(standing?.endedSessionIds ?? []),
        expiresAt: this.now() + this.ttlMs,
      };
      this.store(userId, entry);
      return entry;
    } catch (error) {
      if (error instanceof AppError && (error.code === ErrorCode.NOT_FOUND || error.code === ErrorCode.INVALID_ARGUMENT)) {
        const entry: Entry = { banned: false, ended: new Set(), expiresAt: this.now() + this.ttlMs };
        this.store(userId, entry);
        return entry;
      }
      this.options.logger?.warn({ err: error, userId, banned: previous?.banned ?? false }, 'user standing unknown: the last answer stands');
      if (!previous) {
        // Never seen: passes (a front door does not go down with the user service), asked again soon.
        this.store(userId, { banned: false, ended: new Set(), expiresAt: this.now() + this.retryMs });
        return undefined;
      }
      const kept = { ...previous, expiresAt: this.now() + this.retryMs };
      this.store(userId, kept);
      return kept;
    }
  }

  private store(userId: string, entry: Entry): void {
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    // A Map iterates in insertion order: the first keys are the least recently stored.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}
