/**
 * A TCP relay to a real server that can be cut and restored: a process pointed at it loses the
 * server (its connections reset, new ones refused at once) without the server stopping for
 * everyone else, as when MySQL is stopped or the network to it fails.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class CuttableRelay {
  private readonly open = new Set<Socket>();
  private cutOff = false;

  private constructor(private readonly server: Server) {}

  /** Relays 127.0.0.1:<a free port> to `host:port`. */
  static async start(host: string, port: number): Promise<CuttableRelay> {
    const server = createServer();
    const relay = new CuttableRelay(server);
    server.on('connection', (socket) => {
      if (relay.cutOff) return void socket.destroy();
      const upstream = createConnection(port, host);
      for (const end of [socket, upstream]) {
        relay.open.add(end);
        end.on('close', () => relay.open.delete(end));
      }
      socket.pipe(upstream).pipe(socket);
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

  /** Every open connection is reset, and new ones are closed as soon as they are accepted. */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.open) socket.destroy();
  }

  /** Connections are relayed again. */
  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
