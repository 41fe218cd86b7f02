/**
 * A process's admin listener, apart from the port it serves its API on: Prometheus metrics
 * (prom-client's default registry, Node's own process metrics included) at GET /metrics, and the
 * process's health (common/src/health): liveness at GET /livez (/healthz, its older name) and
 * readiness at GET /readyz, 200 or 503 with each check's status. Plain node:http, so that a gRPC
 * service needs no web framework.
 * Scrapers find a service's listener through ZooKeeper (`metrics.port` on its provider URL).
 * A front door hands it its own router instead (common/src/http/admin-listener.ts).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, register } from 'prom-client';
import type { Health } from '../health';
import type { Logger } from '../log';

export interface AdminServerOptions {
  /** The interface to listen on (127.0.0.1 keeps it off the network). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** The process's health, for /livez and /readyz; without it the listener is ready when it answers. */
  health?: Health;
  /**
   * What answers instead of the built-in /metrics and /healthz, and the paths it serves (for the
   * log): a front door's own app, so that its metrics and API reference are the very routes the
   * public port would serve.
   */
  serve?: { listener: RequestListener; paths: string[] };
}

const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * Node's process metrics (CPU, memory, event loop lag, GC, handles) in the default registry, once
 * per process. Everything is read at scrape time except the event loop delay, which a timer
 * samples: at prom-client's default of every 10 ms that timer alone cost an idle process 6.4 ms
 * of CPU a second (0.6% of a core, five services 3%); every 100 ms it costs about 1.5 ms, and a
 * blocked loop still shows, as the delay of the sample that was due.
 */
export function collectProcessMetrics(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics({ eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}

export class AdminServer {
  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(options: AdminServerOptions): Promise<AdminServer> {
    collectProcessMetrics();
    const server = createServer(
      options.serve?.listener ??
        ((request, response) => {
          handle(request, response, options.health).catch((error: unknown) => {
            options.logger.warn({ err: error, url: request.url }, 'admin request failed');
            if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
            response.end('internal error\n');
          });
        }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    options.logger.info({ url: `http://${options.host}:${port}`, paths: options.serve?.paths ?? BUILT_IN_PATHS }, 'admin listener started');
    return new AdminServer(server, options.host, port);
  }

  /** Stops listening and closes its connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

const BUILT_IN_PATHS = ['/metrics', '/livez', '/readyz', '/healthz'];

function sendJson(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse, health: Health | undefined): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    response.end('method not allowed\n');
    return;
  }
  if (path === '/metrics') {
    const body = await register.metrics();
    response.writeHead(200, { 'content-type': register.contentType });
    response.end(request.method === 'HEAD' ? undefined : body);
  } else if (path === '/livez' || path === '/healthz') {
    const liveness = health?.liveness() ?? { status: 'ok' };
    sendJson(request, response, liveness.status === 'ok' ? 200 : 503, liveness);
  } else if (path === '/readyz') {
    const readiness = health?.readiness() ?? { status: 'ready', checks: {} };
    sendJson(request, response, readiness.status === 'ready' ? 200 : 503, readiness);
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`not found: the admin listener serves ${BUILT_IN_PATHS.join(', ')}\n`);
  }
}
