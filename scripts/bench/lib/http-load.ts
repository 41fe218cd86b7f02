/**
 * The benches' HTTP client for the measured requests: node:http over keep-alive sockets.
 *
 * The load generator runs on the same two cores as the system it measures, so whatever it burns
 * the system does not get. undici's fetch (the specs' client) spent about as much CPU per
 * request as pay-web spent serving it; a real client (a browser, Alipay's notifier) runs
 * elsewhere. Each bench prints what its own process spent per unit (`ownCpu`), beside the tables.
 */
import { Agent, request } from 'node:http';

export interface HttpReply {
  status: number;
  text: string;
}

export class LoadClient {
  private readonly agent: Agent;
  private readonly url: URL;

  /** `timeoutMs`: a request with no answer by then fails (an error in the bench, not a stall). */
  constructor(
    baseUrl: string,
    maxSockets = 256,
    private readonly timeoutMs = 30_000,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    const sent = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: this.url.hostname, port: this.url.port, path, method, agent: this.agent, headers: sent }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      });
      outgoing.setTimeout(this.timeoutMs, () => outgoing.destroy(new Error(`no answer in ${this.timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** CPU this process spent since the call, in ms: `const spent = ownCpu(); ...; spent()`. */
export function ownCpu(): () => number {
  const start = process.cpuUsage();
  return () => {
    const { user, system } = process.cpuUsage(start);
    return (user + system) / 1_000;
  };
}
