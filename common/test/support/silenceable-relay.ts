/**
 * A TCP relay to the real ZooKeeper that can turn silent: it keeps the connection open and
 * forwards nothing, like a ZooKeeper server that failed to close a connection while starting
 * up, or a half-open connection after a network fault. The client's watchdog then drops the
 * connection and opens a new one (common/src/zk/connection-watchdog.ts).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class SilenceableRelay {
  /** Connections accepted so far, in order; `closedByClient` turns true when the client hangs up. */
  readonly connections: { socket: Socket; silent: boolean; closedByClient: boolean }[] = [];
  private silenceNext = 0;
  private constructor(private readonly server: Server) {}

  static async start(target: string): Promise<SilenceableRelay> {
    const [host, port] = target.split(',')[0]!.split(':');
    const server = createServer();
    const relay = new SilenceableRelay(server);
    server.on('connection', (socket) => {
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

  get connect(): string {
    return `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** The next `count` connections are accepted and never answered. */
  silenceNextConnections(count: number): void {
    this.silenceNext = count;
  }

  /** Open connections stop forwarding in both directions, and stay open. */
  silenceOpenConnections(): void {
    for (const connection of this.connections) connection.silent = true;
  }

  async stop(): Promise<void> {
    for (const { socket } of this.connections) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
