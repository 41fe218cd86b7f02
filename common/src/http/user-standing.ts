/**
 * A user's standing (banned or not) as a front door's bearer guard needs it: tokens are stateless,
 * so a ban reaches tokens issued before it only through this check. Each process keeps a small
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
}

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
  expiresAt: number;
}

export class UserStanding {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<boolean>>();
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

  /** Whether the user is banned, from the cache while its answer is fresh. */
  isBanned(userId: string): Promise<boolean> | boolean {
    const entry = this.entries.get(userId);
    if (entry && entry.expiresAt > this.now()) return entry.banned;
    let asking = this.pending.get(userId);
    if (!asking) {
      asking = this.ask(userId, entry).finally(() => this.pending.delete(userId));
      this.pending.set(userId, asking);
    }
    return asking;
  }

  /** Records a standing this process just changed (the admin's ban route): effective at once here. */
  remember(userId: string, banned: boolean): void {
    this.store(userId, { banned, expiresAt: this.now() + this.ttlMs });
  }

  private async ask(userId: string, previous: Entry | undefined): Promise<boolean> {
    try {
      const standing = await this.lookup(userId);
      const banned = standing?.banned ?? false;
      this.store(userId, { banned, expiresAt: this.now() + this.ttlMs });
      return banned;
    } catch (error) {
      if (error instanceof AppError && (error.code === ErrorCode.NOT_FOUND || error.code === ErrorCode.INVALID_ARGUMENT)) {
        this.store(userId, { banned: false, expiresAt: this.now() + this.ttlMs });
        return false;
      }
      const banned = previous?.banned ?? false;
      this.options.logger?.warn({ err: error, userId, banned }, 'user standing unknown: the last answer stands');
      this.store(userId, { banned, expiresAt: this.now() + this.retryMs });
      return banned;
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
