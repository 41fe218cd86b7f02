/**
 * Request durations of a front door, by route template, method and status, in the default
 * registry (served at /metrics):
 *
 *   http_server_request_duration_seconds{method, route, status_code}   histogram, request received -> answer sent
 *
 * The name is OpenTelemetry's `http.server.request.duration` as Prometheus spells it; its _count
 * is the requests served and `status_code=~"5.."` the errors. The route is the template that
 * matched (`/api/v1/orders/:orderId`), never the URL as sent, so the label values stay as few as
 * the routes; a request no route takes is `unmatched`. Timed by fastify itself (reply.elapsedTime).
 * Each (route, method, status) resolves its histogram child once; then a request costs an observe.
 */
import type { FastifyInstance } from 'fastify';
import { Histogram, register } from 'prom-client';

const NAME = 'http_server_request_duration_seconds';
const UNMATCHED = 'unmatched';

type Child = ReturnType<Histogram['labels']>;

function durations(): Histogram {
  return (
    (register.getSingleMetric(NAME) as Histogram | undefined) ??
    new Histogram({
      name: NAME,
      help: 'Duration of HTTP requests served, by route template, method and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    })
  );
}

/** route -> method -> status -> child. */
const children = new Map<string, Map<string, Map<number, Child>>>();

function childOf(histogram: Histogram, route: string, method: string, status: number): Child {
  let byMethod = children.get(route);
  if (!byMethod) children.set(route, (byMethod = new Map()));
  let byStatus = byMethod.get(method);
  if (!byStatus) byMethod.set(method, (byStatus = new Map()));
  let child = byStatus.get(status);
  if (!child) byStatus.set(status, (child = histogram.labels(method, route, String(status))));
  return child;
}

/** Times every request the app answers (both of its listeners: the public port and the admin one). */
export function registerHttpMetrics(app: FastifyInstance): void {
  const histogram = durations();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? UNMATCHED : (request.routeOptions.url ?? UNMATCHED);
    childOf(histogram, route, request.method, reply.statusCode).observe(reply.elapsedTime / 1000);
    done();
  });
}
