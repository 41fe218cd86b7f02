/**
 * The registry: ephemeral registrations and children watches over ZooKeeper that survive
 * connection loss and session expiry.
 *
 * - Disconnected (ZooKeeper down or unreachable): nothing changes for users; listeners keep the
 *   last children they were given, so consumers go on calling the providers they know.
 * - Session expired: the old client is dead for good (its watches never fire again). A new
 *   session is opened, every ephemeral node is re-created (replacing a stale node still owned by
 *   the old session) and every watch is re-armed, listeners receiving the current children.
 */
import { CreateMode, ephemeralOwnerHex, ZkErrorCode, zkErrorCode, ZkSession, ZkSessionEndedError, type ZkSessionOptions } from '../zk';
import type { Logger } from '../log';

export interface RegistryOptions {
  connect: string;
  sessionTimeoutMs: number;
  /**
   * "user:password" (ZK_DIGEST): required, since a registry writes (providers, consumers,
   * claims) and the shop's trees let only the digest write (common/src/zk/zk-acl.ts).
   */
  digest: string;
  /** During a digest rotation: the digest being replaced (ZK_DIGEST_PREVIOUS). */
  previousDigest?: string;
  logger: Logger;
}

type ChildrenListener = (children: string[]) => void;

const RECONNECT_DELAY_MS = 500;

export class ZkRegistry {
  private readonly ephemerals = new Map<string, Buffer | null>();
  /** Exclusive ephemeral nodes (see {@link claim}) and what to do if one is lost to another session. */
  private readonly claims = new Map<string, () => void>();
  private readonly watched = new Map<string, Set<ChildrenListener>>();
  /**
   * Folders with a children watch set on the current session and not fired yet. A watch stays
   * set after its last listener leaves; watching the folder again must not set a second one,
   * or every later change would be read twice (and the watches pile up in the client).
   */
  private readonly armed = new Set<string>();
  private closed = false;
  private rebuilding: Promise<void> | undefined;

  private constructor(
    private session: ZkSession,
    private readonly options: RegistryOptions,
  ) {
    this.follow(session);
  }

  /** Opens the first session patiently (ZkSession.openPatiently): a minute before giving up. */
  static async connect(options: RegistryOptions): Promise<ZkRegistry> {
    const session = await ZkSession.openPatiently(sessionOptions(options), 60_000, (error) =>
      options.logger.warn({ err: error }, 'ZooKeeper not reachable yet; trying again'),
    );
    return new ZkRegistry(session, options);
  }

  /** The current session (it changes after an expiry). */
  get currentSession(): ZkSession {
    return this.session;
  }

  /** Creates an ephemeral node (and its persistent parents), re-created after session expiry. */
  async register(path: string, data: Buffer | null = null): Promise<void> {
    this.ephemerals.set(path, data);
    await this.createEphemeral(this.session, path, data);
  }

  /**
   * Creates an ephemeral node only if no other session holds it: true when this registry now
   * holds it. Unlike {@link register}, a node of another live session is never replaced. After
   * a session expiry the claim is made again; if another session took the node meanwhile,
   * `onLost` is called (the holder must stop using what the node stood for).
   */
  async claim(path: string, onLost: () => void): Promise<boolean> {
    await this.session.mkdirp(path.slice(0, path.lastIndexOf('/')));
    try {
      await this.session.create(path, null, CreateMode.EPHEMERAL);
    } catch (error) {
      if (zkErrorCode(error) !== ZkErrorCode.NODE_EXISTS) throw error;
      return false;
    }
    this.claims.set(path, onLost);
    return true;
  }

  /** Removes the node. On a session that has ended, the node went with it and is not re-created. */
  async unregister(path: string): Promise<void> {
    this.ephemerals.delete(path);
    await this.session.remove(path).catch((error: unknown) => {
      if (zkErrorCode(error) !== ZkErrorCode.NO_NODE && !(error instanceof ZkSessionEndedError)) throw error;
    });
  }

  /**
   * Calls `listener` with the children of `dir` now and after every change, for as long as the
   * returned function is not called. The folder is created when missing.
   */
  async watchChildren(dir: string, listener: ChildrenListener): Promise<() => void> {
    let listeners = this.watched.get(dir);
    const first = !listeners;
    if (!listeners) this.watched.set(dir, (listeners = new Set()));
    listeners.add(listener);
    if (first) {
      await this.session.mkdirp(dir);
      await this.refresh(this.session, dir);
    } else {
      listener(await this.session.getChildren(dir));
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.watched.delete(dir);
    };
  }

  close(): void {
    this.closed = true;
    this.session.close();
  }

  private follow(session: ZkSession): void {
    session.onState((state) => {
      if (state === 'expired' && !this.closed) {
        this.options.logger.warn({ sessionId: session.sessionId }, 'ZooKeeper session expired; rebuilding');
        this.rebuilding ??= this.rebuild().finally(() => (this.rebuilding = undefined));
      } else if (state === 'disconnected') {
        this.options.logger.warn('ZooKeeper disconnected; keeping the last known providers');
      } else if (state === 'connected') {
        this.options.logger.info({ sessionId: session.sessionId }, 'ZooKeeper connected');
      }
    });
  }

  /** Lists the children with a one-shot watch (unless one is set) that re-arms itself, and notifies the listeners. */
  private async refresh(session: ZkSession, dir: string): Promise<void> {
    if (this.closed || session !== this.session || !this.watched.has(dir)) return;
    let children: string[];
    if (this.armed.has(dir)) {
      children = await session.getChildren(dir);
    } else {
      this.armed.add(dir);
      children = await session
        .getChildren(dir, () => {
          if (session === this.session) this.armed.delete(dir);
          this.refresh(session, dir).catch((error: unknown) =>
            this.options.logger.warn({ err: error, dir }, 'could not re-arm a ZooKeeper watch; the next session will'),
          );
        })
        .catch((error: unknown) => {
          this.armed.delete(dir);
          throw error;
        });
    }
    for (const listener of this.watched.get(dir) ?? []) listener(children);
  }

  private async rebuild(): Promise<void> {
    const expiredSessionId = this.session.sessionId;
    this.session.close();
    while (!this.closed) {
      try {
        const session = await ZkSession.open(sessionOptions(this.options));
        this.session = session;
        // The expired session's watches died with it.
        this.armed.clear();
        this.follow(session);
        for (const [path, data] of this.ephemerals) await this.createEphemeral(session, path, data);
        for (const [path, onLost] of this.claims) await this.reclaim(session, path, onLost, expiredSessionId);
        for (const dir of this.watched.keys()) {
          await session.mkdirp(dir);
          await this.refresh(session, dir);
        }
        this.options.logger.info({ sessionId: session.sessionId, registrations: this.ephemerals.size }, 'ZooKeeper session rebuilt');
        return;
      } catch (error) {
        this.options.logger.warn({ err: error }, 'ZooKeeper not reachable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
      }
    }
  }

  /** Claims the node again on a new session; the expired session's own node is not a rival. */
  private async reclaim(session: ZkSession, path: string, onLost: () => void, expiredSessionId: string): Promise<void> {
    await session.mkdirp(path.slice(0, path.lastIndexOf('/')));
    try {
      await session.create(path, null, CreateMode.EPHEMERAL);
    } catch (error) {
      if (zkErrorCode(error) !== ZkErrorCode.NODE_EXISTS) throw error;
      const stat = await session.exists(path);
      if (stat && ephemeralOwnerHex(stat) === expiredSessionId) {
        await session.remove(path).catch(() => undefined);
        return this.reclaim(session, path, onLost, '');
      }
      this.claims.delete(path);
      this.options.logger.error({ path }, 'an exclusive ZooKeeper node was taken by another session while ours was expired');
      onLost();
    }
  }

  /** Creates the node; a node left by an expired session of ours is replaced. */
  private async createEphemeral(session: ZkSession, path: string, data: Buffer | null): Promise<void> {
    await session.mkdirp(path.slice(0, path.lastIndexOf('/')));
    try {
      await session.create(path, data, CreateMode.EPHEMERAL);
    } catch (error) {
      if (zkErrorCode(error) !== ZkErrorCode.NODE_EXISTS) throw error;
      const stat = await session.exists(path);
      if (stat && ephemeralOwnerHex(stat) === session.sessionId) return;
      // Stale: the old session's node lingers until the server expires it.
      await session.remove(path).catch(() => undefined);
      await session.create(path, data, CreateMode.EPHEMERAL);
    }
  }
}

/** What each session of the registry is opened with: every session writes with the digest. */
function sessionOptions({ connect, sessionTimeoutMs, digest, previousDigest }: RegistryOptions): ZkSessionOptions {
  return { connect, sessionTimeoutMs, digest, previousDigest };
}
