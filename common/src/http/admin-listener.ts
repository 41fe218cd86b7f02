/**
 * A front door's admin listener, apart from its public port, as the gRPC services have one
 * (common/src/metrics/admin-server.ts): Prometheus /metrics and the API reference (/docs, its
 * OpenAPI document at /docs/json and /docs/yaml), with /livez, /readyz and /healthz. The listener runs
 * the front door's own app, so these are the very routes of the public port, and it answers
 * nothing else (404). In production the public port answers 404 NOT_FOUND for /metrics and
 * /docs: the metrics name every route with its traffic and errors, and the reference maps every
 * route and parameter, for anyone on the internet who asks.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log';
import { AdminServer } from '../metrics';

/** The requests that came in through an admin listener: the same app serves both ports. */
const throughAdminListener = new WeakSet<IncomingMessage>();

/**
 * Decided on the route that matched, never on the URL as sent (`/%6detrics` reaches the /metrics
 * route too). HEAD routes share their GET route's url.
 */
const isAdminRoute = (route: string) => route === '/metrics' || route === '/docs' || route.startsWith('/docs/');
const isHealthRoute = (route: string) => route === '/livez' || route === '/healthz' || route === '/readyz';

/**
 * The hook that keeps each port to its routes. `public`: the public port serves /metrics and
 * /docs as well (development and tests, where the README, the benches, the fuzzers and the specs
 * read them there).
 */
export function guardAdminRoutes(app: FastifyInstance, options: { public: boolean }): void {
  app.addHook('onRequest', (request, reply, done) => {
    // A request no route takes is answered 404 by the not-found handler anyway.
    if (request.is404) return done();
    const route = request.routeOptions.url ?? '';
    const allowed = throughAdminListener.has(request.raw) ? isAdminRoute(route) || isHealthRoute(route) : options.public || !isAdminRoute(route);
    if (allowed) return done();
    // The not-found handler's answer, as for a route that does not exist: 404 NOT_FOUND, `no route GET /metrics`.
    reply.callNotFound();
  });
}

/** The admin listener on `host:port` (0: a free port), once the app has loaded its routes. */
export async function startAdminListener(app: FastifyInstance, options: { host: string; port: number; logger: Logger }): Promise<AdminServer> {
  await app.ready();
  return AdminServer.start({
    ...options,
    serve: {
      listener: (request, response) => {
        throughAdminListener.add(request);
        app.routing(request, response);
      },
      paths: ['/metrics', '/docs', '/livez', '/readyz', '/healthz'],
    },
  });
}
