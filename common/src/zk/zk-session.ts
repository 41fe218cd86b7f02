/**
 * A promise-based view of one ZooKeeper session (node-zookeeper-client underneath).
 *
 * One instance is one session: when ZooKeeper says the session EXPIRED, the underlying client is
 * closed for good and its watches never fire again; the RPC registry (common/rpc) reacts by
 * building a new session and re-creating its ephemeral nodes and watches.
 *
 * With a digest, the session authenticates with it and creates every node with the shop's ACL
 * (zk-acl.ts: the digest may do everything, anyone may read); without one it creates open
 * nodes, as ZooKeeper's clients do by default, and can write only where the ACL lets anyone.
 */
import zookeeper, { type ACL, type Client, type Event, type Stat } from 'node-zookeeper-client';
import { sendCredentialsFirst } from './auth-before-requests';
import { watchZkConnections } from './connection-watchdog';
import { credentialsOf, OPEN_ACLS, shopAcls, type ZkDigestCredentials } from './zk-acl';

watchZkConnections();
sendCredentialsFirst();

export const CreateMode = zookeeper.CreateMode;
export const ZkErrorCode = zookeeper.Exception;
export type { Event as ZkEvent, Stat as ZkStat } from 'node-zookeeper-client';

export interface ZkSessionOptions extends ZkDigestCredentials {
  /** host:port[,host:port...][/chroot] */
  connect: string;
  sessionTimeoutMs?: number;
  /** How long `open` waits for the first connection before giving up. */
  connectTimeoutMs?: number;
  /** How long one request may wait for an answer (default: the session timeout, at least 10 s). */
  operationTimeoutMs?: number;
}

export type ZkSessionState = 'connected' | 'disconnected' | 'expired' | 'closed';

/** ZooKeeper error code of a failed call (for example `ZkErrorCode.NODE_EXISTS`), if any. */
export function zkErrorCode(error: unknown): number | undefined {
  return error instanceof zookeeper.Exception ? error.getCode() : undefined;
}

/** Thrown by calls on a session that is closed or expired: they would otherwise never answer. */
export class ZkSessionEndedError extends Error {}

export class ZkSession {
  private stateListeners = new Set<(state: ZkSessionState) => void>();
  /** Closed by us or expired by the server: no request will ever be answered. */
  private ended = false;
  private closed = false;
  /** What every node this session creates carries. */
  readonly acls: readonly ACL[];

  private constructor(
    private readonly client: Client,
    readonly options: ZkSessionOptions,
  ) {
    this.acls = credentialsOf(options).length > 0 ? shopAcls(options) : OPEN_ACLS;
    client.on('state', (state) => {
      const mapped = mapState(state);
      if (mapped === 'expired') this.ended = true;
      if (mapped) for (const listener of this.stateListeners) listener(mapped);
    });
  }

  /**
   * Opens a session and waits until it is connected. With `resume`, attaches to an existing
   * session instead (ZooKeeper's way to take a session over; closing it then expires it).
   */
  static open(options: ZkSessionOptions, resume?: { sessionId: string; sessionPassword: string }): Promise<ZkSession> {
    const client = zookeeper.createClient(options.connect, {
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      spinDelay: 500,
      retries: 0,
      ...(resume && { sessionId: Buffer.from(resume.sessionId, 'hex'), sessionPassword: Buffer.from(resume.sessionPassword, 'hex') }),
    } as Partial<zookeeper.Option>);
    // Before connecting: the library sends the credentials on every connection it opens, first
    // thing (auth-before-requests.ts), so a resumed session or a reconnection is authenticated
    // again before any request of it reaches the server (ZooKeeper keeps them per connection).
    for (const credential of credentialsOf(options)) client.addAuthInfo('digest', Buffer.from(credential));
    const session = new ZkSession(client, options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`ZooKeeper ${options.connect} not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve(session);
      });
      client.connect();
    });
  }

  /**
   * Opens a session, trying again (15 s a try) until `patienceMs` has passed: a process starting
   * right after ZooKeeper, or while an ensemble elects its leader, on a busy machine, would
   * otherwise die at the first 10 s timeout (seen: five services failing together on a
   * freshly started ensemble). `onRetry` hears each failed try.
   */
  static async openPatiently(options: ZkSessionOptions, patienceMs = 60_000, onRetry?: (error: unknown) => void): Promise<ZkSession> {
    const deadline = Date.now() + patienceMs;
    for (;;) {
      try {
        return await ZkSession.open({ connectTimeoutMs: 15_000, ...options });
      } catch (error) {
        if (Date.now() > deadline) throw error;
        onRetry?.(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Session id as ZooKeeper prints it (hex), to compare with a node's ephemeralOwner. */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  /** The session's password (hex). With the id, it lets a test take the session over and expire it. */
  get sessionPassword(): string {
    return this.client.getSessionPassword().toString('hex');
  }

  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  onState(listener: (state: ZkSessionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  create(path: string, data: Buffer | null = null, mode: number = CreateMode.PERSISTENT): Promise<string> {
    return this.call(`create ${path}`, (resolve, reject) =>
      this.client.create(path, data ?? Buffer.alloc(0), [...this.acls], mode, (error, created) => (error ? reject(error) : resolve(created))),
    );
  }

  /** Creates the path and any missing parents (persistent, with this session's ACL); no error when it exists. */
  mkdirp(path: string): Promise<string> {
    return this.call(`mkdirp ${path}`, (resolve, reject) =>
      this.client.mkdirp(path, [...this.acls], (error, created) => (error ? reject(error) : resolve(created))),
    );
  }

  exists(path: string, watcher?: (event: Event) => void): Promise<Stat | null> {
    return this.call(`exists ${path}`, (resolve, reject) => {
      const done = (error: unknown, stat: Stat) => (error ? reject(error) : resolve(stat ?? null));
      if (watcher) this.client.exists(path, watcher, done);
      else this.client.exists(path, done);
    });
  }

  /** Children names; a watcher fires once on the next change (one-shot: re-arm it by calling again). */
  getChildren(path: string, watcher?: (event: Event) => void): Promise<string[]> {
    return this.call(`getChildren ${path}`, (resolve, reject) => {
      const done = (error: unknown, children: string[]) => (error ? reject(error) : resolve(children));
      if (watcher) this.client.getChildren(path, watcher, done);
      else this.client.getChildren(path, done);
    });
  }

  getData(path: string): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.call(`getData ${path}`, (resolve, reject) =>
      this.client.getData(path, (error, data, stat) => (error ? reject(error) : resolve({ data, stat }))),
    );
  }

  /** Replaces the node's data (needs WRITE on the node); `version` -1 whatever its version. */
  setData(path: string, data: Buffer | null, version = -1): Promise<Stat> {
    return this.call(`setData ${path}`, (resolve, reject) =>
      this.client.setData(path, data, version, (error, stat) => (error ? reject(error) : resolve(stat))),
    );
  }

  /** The node's ACL. Without ADMIN on the node, ZooKeeper hides a digest id's hash (`user:x`). */
  getAcl(path: string): Promise<{ acls: ACL[]; stat: Stat }> {
    return this.call(`getACL ${path}`, (resolve, reject) => this.client.getACL(path, (error, acls, stat) => (error ? reject(error) : resolve({ acls, stat }))));
  }

  /** Replaces the node's ACL (needs ADMIN on the node); `version` -1 whatever its ACL version. */
  setAcl(path: string, acls: readonly ACL[], version = -1): Promise<Stat> {
    return this.call(`setACL ${path}`, (resolve, reject) =>
      this.client.setACL(path, [...acls], version, (error, stat) => (error ? reject(error) : resolve(stat))),
    );
  }

  remove(path: string, version = -1): Promise<void> {
    return this.call(`remove ${path}`, (resolve, reject) => this.client.remove(path, version, (error) => (error ? reject(error) : resolve())));
  }

  /** Ends the session: its ephemeral nodes disappear at once. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.stateListeners.clear();
    this.client.close();
  }

  /**
   * Runs one request. node-zookeeper-client queues requests while disconnected and never
   * answers those of a closed or expired session; callers get an error instead of a hang: at
   * once when the session has ended, after the operation timeout otherwise.
   */
  private call<T>(what: string, run: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> {
    if (this.ended) return Promise.reject(new ZkSessionEndedError(`ZooKeeper session ended: ${what}`));
    const timeoutMs = this.options.operationTimeoutMs ?? Math.max(this.sessionTimeoutMs, 10_000);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ZooKeeper did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
      run(
        (value) => (clearTimeout(timer), resolve(value)),
        (error) => (clearTimeout(timer), reject(error)),
      );
    });
  }
}

function mapState(state: zookeeper.State): ZkSessionState | undefined {
  switch (state) {
    case zookeeper.State.SYNC_CONNECTED:
    case zookeeper.State.CONNECTED_READ_ONLY:
      return 'connected';
    case zookeeper.State.DISCONNECTED:
      return 'disconnected';
    case zookeeper.State.EXPIRED:
      return 'expired';
    default:
      return undefined;
  }
}

/** The stat's ephemeralOwner as hex (it is an 8-byte buffer in node-zookeeper-client). */
export function ephemeralOwnerHex(stat: Stat): string {
  return stat.ephemeralOwner.toString('hex');
}
