/**
 * The HTTP front doors' common frame (fastify): strict JSON validation, one error shape
 * `{code, message}` from the shared error table, trace ids, security headers, /healthz and
 * /metrics, the bearer-token guard, and optionally an OpenAPI document with its UI at /docs and
 * CORS. /metrics and /docs answer on the admin listener (admin-listener.ts), and on the public
 * port only when asked (outside production).
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { register } from 'prom-client';
import { AppError, ERROR_MAPPING, ErrorCode } from '../errors';
import { providersCheck, type Health } from '../health';
import type { Logger } from '../log';
import { currentTraceId, TRACE_ID_HEADER, TRACEPARENT, TRACESTATE } from '../trace/trace-context';
import { trace } from '@opentelemetry/api';
import { guardAdminRoutes } from './admin-listener';
import { registerHttpMetrics } from './http-metrics';
import type { Principal, TokenService } from './jwt';
import { registerRateLimits, type RateLimitSettings } from './rate-limits';
import { registerSecurityHeaders, type SecurityHeadersOptions } from './security-headers';
import type { UserStanding } from './user-standing';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    /** The standing of signed-in users, when the app checks it (HttpAppOptions.standing); null otherwise. */
    userStanding: UserStanding | null;
  }
}

export interface HttpAppOptions {
  logger: Logger;
  /** Bodies above this many bytes answer 413 PAYLOAD_TOO_LARGE. */
  bodyLimit?: number;
  /** Also accept application/x-www-form-urlencoded bodies (Alipay's requests and notifications). */
  forms?: boolean;
  /**
   * Serve an OpenAPI 3 document built from the routes' own schemas (the ones that validate the
   * requests) at /docs/json, with its UI at /docs. Only routes added through {@link addRoutes}
   * are listed: the document is built from the routes registered after it.
   */
  docs?: { title: string; description: string; version: string };
  /** Browser origins allowed to call this app (CORS); a RegExp for a pattern of origins. */
  corsOrigins?: (string | RegExp)[];
  /**
   * What keeps the app from serving (a service it calls with no provider), for /readyz: none
   * answers 200, any answers 503 with the list. Without it, an app that answers is ready.
   */
  readiness?: () => string[];
  /**
   * The process's health (run-front-door.ts): /livez and /readyz answer its verdicts, and
   * `readiness` becomes its `providers` check. Without it (tests of the routes alone) /readyz
   * asks `readiness` at each request.
   */
  health?: Health;
  /**
   * The users' standing: with it, the bearer guard (requireUser) refuses the tokens of banned
   * users (403 USER_BANNED) and of ended sessions and old token versions (401 UNAUTHENTICATED).
   */
  standing?: UserStanding;
  /** The rate limits routes may apply (rate-limits.ts: limitedBy, failureLimit); none when absent. */
  rateLimits?: RateLimitSettings;
  /**
   * Behind a proxy or load balancer: which X-Forwarded-For hops to believe for the client's
   * address (fastify's trustProxy: true, a hop count, or addresses). The per-IP limits key on it.
   */
  trustProxy?: boolean | number | string[];
  /**
   * /metrics and /docs on the public port too (development and tests). Without it they answer
   * only on the admin listener, and the public port answers 404 NOT_FOUND for them.
   */
  publicAdminRoutes?: boolean;
  /** Origins the pages may call besides their own (Content-Security-Policy connect-src). */
  connectSources?: SecurityHeadersOptions['connectSources'];
}

function send(reply: FastifyReply, code: ErrorCode, message: string, retryAfterSeconds?: number): FastifyReply {
  const status = ERROR_MAPPING[code].http;
  // A busy or restarting service: a client may try again in a second (HTTP's own way to say so).
  if (status === 503) void reply.header('retry-after', '1');
  if (status === 429) void reply.header('retry-after', String(retryAfterSeconds ?? 1));
  return reply.status(status).send({ code, message });
}

const trustHops =
  (hops: number) =>
  (_address: string, hop: number): boolean =>
    hop < hops;

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const { logger } = options;
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // A hop count becomes fastify's function form (its types leave the number out).
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : (options.trustProxy ?? false),
    // Types are what the schema says, never coerced ("12" is not a number) nor silently dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Requests the router refuses before any route (a malformed URL, a path parameter longer
    // than the router takes) answer in the API's shape too, not in fastify's own.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      void (reply as FastifyReply).status(status).send({ code: ErrorCode.INVALID_ARGUMENT, message: `malformed request: ${error.message}` });
    },
    // And so do requests Node's HTTP parser cannot read (raw bytes in the path): written on the socket.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return void socket.destroy(error);
      const body = JSON.stringify({ code: ErrorCode.INVALID_ARGUMENT, message: 'malformed HTTP request' });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });

  registerSecurityHeaders(app, { connectSources: options.connectSources });
  registerHttpMetrics(app);
  app.decorate('userStanding', options.standing ?? null);
  if (options.rateLimits) registerRateLimits(app, options.rateLimits, logger);
  else app.decorate('rateLimits', null);

  if (options.forms) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  // Every request runs in the server span of the http instrumentation (a child of the caller's
  // W3C traceparent, or a new trace), named here after its route, and its trace id is echoed
  // back (x-trace-id) so that a caller can find the trace. Nothing to do with tracing off.
  app.addHook('onRequest', (request, reply, done) => {
    const traceId = currentTraceId();
    if (traceId) {
      void reply.header(TRACE_ID_HEADER, traceId);
      const route = request.routeOptions.url;
      if (route) trace.getActiveSpan()?.updateName(`${request.method} ${route}`).setAttribute('http.route', route);
    }
    done();
  });
  // After the trace id: a refused /metrics answers with its trace id like any other 404.
  guardAdminRoutes(app, { public: options.publicAdminRoutes ?? false });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.code === ErrorCode.INTERNAL || error.code === ErrorCode.UNAVAILABLE) logger.warn({ err: error, url: request.url }, 'request failed');
      const retryAfter = error.detail?.retryAfterSeconds;
      return send(reply, error.code, error.message, typeof retryAfter === 'number' ? retryAfter : undefined);
    }
    if (error.validation)
      return send(
        reply,
        ErrorCode.INVALID_ARGUMENT,
        `${error.validationContext ?? 'request'}${error.validation[0]?.instancePath ?? ''} ${error.validation[0]?.message ?? 'is invalid'}`,
      );
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, ErrorCode.PAYLOAD_TOO_LARGE, 'request body too large');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ code: ErrorCode.INVALID_ARGUMENT, message: error.message });
    }
    logger.error({ err: error, url: request.url }, 'unexpected error');
    return send(reply, ErrorCode.INTERNAL, 'internal error');
  });

  app.setNotFoundHandler((request, reply) => send(reply, ErrorCode.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`));

  if (options.corsOrigins?.length) {
    void app.register(cors, {
      origin: options.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', TRACEPARENT, TRACESTATE],
      exposedHeaders: [TRACE_ID_HEADER],
      maxAge: 600,
    });
  }
  if (options.docs) {
    void app.register(swagger, {
      openapi: {
        info: options.docs,
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      },
    });
    // BaseLayout: the reference without swagger-ui's top bar, whose URL box is of no use for one
    // fixed document and whose logo's inline <style> the Content-Security-Policy refuses.
    void app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { layout: 'BaseLayout' } });
  }
  const { health } = options;
  if (health && options.readiness) health.add(providersCheck(options.readiness));
  addRoutes(app, (api) => {
    const liveness = async (_request: FastifyRequest, reply: FastifyReply) => {
      const answer = health?.liveness() ?? { status: 'ok' };
      return reply.status(answer.status === 'ok' ? 200 : 503).send(answer);
    };
    api.get('/livez', { schema: { tags: ['operations'], summary: 'Liveness: the process answers and its event loop turns' } }, liveness);
    api.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness (the older name of /livez)' } }, liveness);
    api.get(
      '/readyz',
      {
        schema: {
          tags: ['operations'],
          summary: 'Readiness: every service this app calls has a provider and the process is not shutting down (503 with the problems otherwise)',
        },
      },
      async (_request, reply) => {
        if (health) {
          const report = health.readiness();
          return reply.status(report.status === 'ready' ? 200 : 503).send(report);
        }
        const problems = options.readiness?.() ?? [];
        return problems.length === 0 ? { status: 'ready' } : reply.status(503).send({ status: 'not ready', problems });
      },
    );
    api.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_request, reply) =>
      reply.type(register.contentType).send(await register.metrics()),
    );
  });
  return app;
}

/**
 * Adds routes after the frame's plugins have loaded, so that the OpenAPI document sees them
 * (fastify applies a plugin's route hook only to routes registered after the plugin).
 */
export function addRoutes(app: FastifyInstance, routes: (api: FastifyInstance) => void): void {
  void app.register(async (api) => routes(api));
}

/**
 * preHandler: a valid bearer token is required; the request gets its principal. When the app
 * checks the users' standing, a banned user's token is refused (403 USER_BANNED), and so is the
 * token of a session that ended or of an old token version (401 UNAUTHENTICATED).
 */
export function requireUser(tokens: TokenService) {
  const guard = async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const principal = token ? await tokens.verify(token) : undefined;
    if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, token ? 'invalid or expired token' : 'missing bearer token');
    const standing = request.server.userStanding;
    const verdict = standing ? await standing.verdict(principal) : 'ok';
    if (verdict === 'banned') throw new AppError(ErrorCode.USER_BANNED, 'this account is banned');
    if (verdict === 'ended') throw new AppError(ErrorCode.UNAUTHENTICATED, 'this session has ended: sign in again');
    request.principal = principal;
  };
  // Marked, so that a route's guard can be told from its other pre-handlers (rate limits): openapi.spec.
  return Object.assign(guard, { requiresUser: true as const });
}

/** preHandler after requireUser: only admins. */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (request.principal?.role !== 'ADMIN') throw new AppError(ErrorCode.FORBIDDEN, 'admin only');
}

/** The principal set by requireUser (a route without the guard has none: a wiring bug). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError(ErrorCode.INTERNAL, 'route is missing its auth guard');
  return request.principal;
}
