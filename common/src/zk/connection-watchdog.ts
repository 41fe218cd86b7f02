/**
 * node-zookeeper-client 1.1.3 trusts a TCP connection for as long as it stays open: once the
 * socket connects it waits for the handshake answer with no time limit, and once the session
 * is connected it sends pings but never notices that no answer comes back. The Java client
 * drops such a connection (its connect and read timeouts) and tries the next server.
 *
 * Seen here: a ZooKeeper server that is still loading its database refuses early connections
 * ("ZooKeeperServer not running") and, in ZooKeeper 3.8.4, can fail while closing one
 * (NullPointerException in removeCnxn), leaving that socket open and silent. The client on it
 * waited forever: its requests were never answered and its watches never fired, while every
 * other client had reconnected. A half-open connection after a network fault does the same.
 *
 * The watchdog gives every socket the Java client's limits: the handshake must be answered
 * within the connect timeout, and a connected socket must hear from the server (an answer or a
 * ping's answer; pings go out after a third of the session timeout of silence) within two
 * thirds of the session timeout. Otherwise the socket is destroyed, which makes the client
 * reconnect as after any connection loss (it resumes its session, or learns it expired).
 * It patches the library's ConnectionManager once per process, before any client is built.
 */

/** The library's connection states (ConnectionManager.STATES). */
const CONNECTING = 1;
const CONNECTED = 2;
const CONNECTED_READ_ONLY = 3;

interface ConnectionManagerInternals {
  socket: import('node:net').Socket;
  state: number;
  connectTimeout: number;
  sessionTimeout: number;
  pendingBuffer: Buffer | null;
  onSocketConnected(): void;
  onSocketData(buffer: Buffer): void;
  /** Added here: when the current socket last received data. */
  lastHeardAt?: number;
}

function connectionVerdict(
  manager: Pick<ConnectionManagerInternals, 'state' | 'connectTimeout' | 'sessionTimeout'>,
  connectedAt: number,
  lastHeardAt: number,
  now: number,
): 'ok' | 'handshake timed out' | 'server silent' {
  if (manager.state === CONNECTING && now - connectedAt > manager.connectTimeout) return 'handshake timed out';
  const connected = manager.state === CONNECTED || manager.state === CONNECTED_READ_ONLY;
  if (connected && now - lastHeardAt > (manager.sessionTimeout * 2) / 3) return 'server silent';
  return 'ok';
}

let installed = false;

export function watchZkConnections(): void {
  if (installed) return;
  installed = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ConnectionManager = require('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: ConnectionManagerInternals };
  const proto = ConnectionManager.prototype;
  const { onSocketConnected, onSocketData } = proto;

  proto.onSocketData = function (this: ConnectionManagerInternals, buffer: Buffer) {
    this.lastHeardAt = Date.now();
    onSocketData.call(this, buffer);
  };

  proto.onSocketConnected = function (this: ConnectionManagerInternals) {
    const socket = this.socket;
    const connectedAt = Date.now();
    // A partial packet of the previous socket must not be glued to this socket's first bytes.
    this.pendingBuffer = null;
    this.lastHeardAt = connectedAt;
    onSocketConnected.call(this);
    const check = setInterval(
      () => {
        if (this.socket !== socket || socket.destroyed) return clearInterval(check);
        if (connectionVerdict(this, connectedAt, this.lastHeardAt ?? connectedAt, Date.now()) !== 'ok') {
          clearInterval(check);
          socket.destroy(); // the library reconnects on 'close'
        }
      },
      Math.max(100, Math.min(this.connectTimeout, this.sessionTimeout) / 6),
    );
    check.unref();
    socket.once('close', () => clearInterval(check));
  };
}
