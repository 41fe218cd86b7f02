/**
 * A TCP relay to a real server (ZooKeeper, MySQL) that fails on demand, for one process pointed
 * at it while the server goes on for everyone else:
 * - silent: it keeps a connection open and forwards nothing, like a ZooKeeper server that failed
 *   to close a connection while starting up, or a half-open connection after a network fault
 *   (the client's watchdog then drops it and opens a new one: common/src/zk/connection-watchdog.ts);
 * - cut: every connection is reset and new ones are closed at once, as when the server stops or
 *   the network to it fails, until restored.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class FaultyRelay {
  /** Connections accepted so far, in order; `closedByClient` turns true when the client hangs up. */
  readonly connections: { socket: Socket; silent: boolean; closedByClient: boolean }[] = [];
  private silenceNext = 0;
  private cutOff = false;
  private constructor(private readonly server: Server) {}

  /** Relays 127.0.0.1:<a free port> to the first `host:port` of `target`. */
  static async start(target: string): Promise<FaultyRelay> {
    const [host, port] = target.split(',')[0]!.split(':');
    const server = createServer();
    const relay = new FaultyRelay(server);
    server.on('connection', (socket) => {
      if (relay.cutOff) return void socket.destroy();
      const connection = { socket, silent: relay.silenceNext > 0, closedByClient: false };
      if (connection.silent) relay.silenceNext--;
      relay.connections.push(connection);
      socket.on('close', () => (connection.closedByClient = true));
      if (connection.silent) return socket.resume(); // reads and drops everything
      const upstream = createConnection(Number(port), host);
      socket.on('data', (chunk) => connection.silent || upstream.write(chunk));
      upstream.on('data', (chunk) => connection.silent || socket.write(chunk));
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Its address, as a ZooKeeper connect string. */
  get connect(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The next `count` connections are accepted and never answered. */
  silenceNextConnections(count: number): void {
    this.silenceNext = count;
  }

  /** Open connections stop forwarding in both directions, and stay open. */
  silenceOpenConnections(): void {
    for (const connection of this.connections) connection.silent = true;
  }

  /** Every open connection is reset, and new ones are closed as soon as they are accepted. */
  cut(): void {
    this.cutOff = true;
    for (const { socket } of this.connections) socket.destroy();
  }

  /** Connections are relayed again. */
  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    for (const { socket } of this.connections) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
