import { readInfraConfig, type EnvReader, type InfraConfig } from '../config';
import { readRateLimits, type RateLimitSettings } from './rate-limits';

/** What every HTTP front door reads. `name` prefixes its own variables (ORDER_WEB_PORT). */
export interface WebConfig {
  infra: InfraConfig;
  host: string;
  port: number;
  jwtSecret: string;
  jwtTtlSeconds: number;
  /** Forward the x-shop-fault header to the services (tests); refused in production. */
  faultInjection: boolean;
  /**
   * Browser origins allowed to call this front door (CORS_ORIGINS, comma-separated): the
   * storefront's origin when it is served from another host or port. Outside production any
   * http://localhost or http://127.0.0.1 origin is allowed besides.
   */
  corsOrigins: (string | RegExp)[];
  rateLimits: RateLimitSettings;
  /** TRUST_PROXY: the X-Forwarded-For hops to believe (a count, or addresses); none when unset. */
  trustProxy?: number | string[];
  /**
   * The admin listener (/metrics, /docs, /healthz, /readyz): ADMIN_HOST (127.0.0.1, as the
   * services') and <NAME>_ADMIN_PORT (ORDER_WEB_ADMIN_PORT; 0, a free port, logged at start).
   */
  admin: { host: string; port: number };
  /** /metrics and /docs on the public port as well: outside production only. */
  publicAdminRoutes: boolean;
  /**
   * SHUTDOWN_DRAIN_MS: on SIGTERM, how long the front door answers requests while its /readyz
   * already says 503, so that the load balancer takes it out before it closes (5 s in
   * production, enough for a readiness probe every 2 s to see it; 500 ms elsewhere, where
   * nothing balances and the local stack restarts processes often).
   */
  drainMs: number;
}

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1)(:[0-9]{1,5})?$/;

/** The local default; refused in production. Exported for tools and tests that mint tokens. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789';

export function readWebConfig(env: EnvReader, fail: (problem: string) => void, name: string, defaultPort: number): WebConfig {
  const prefix = name.toUpperCase().replace(/-/g, '_');
  const infra = readInfraConfig(env, fail);
  const production = infra.env === 'production';
  const jwtSecret = env.string('JWT_SECRET', { default: production ? undefined : DEVELOPMENT_JWT_SECRET });
  if (jwtSecret.length < 32) fail('JWT_SECRET must be at least 32 characters');
  if (production && jwtSecret === DEVELOPMENT_JWT_SECRET) fail('JWT_SECRET must be set to a secret of your own in production');
  const faultInjection = env.bool('FAULT_INJECTION', { default: !production });
  if (production && faultInjection) fail('FAULT_INJECTION must be off when NODE_ENV=production');
  return {
    infra,
    host: env.string(`${prefix}_HOST`, { default: '0.0.0.0' }),
    port: env.int(`${prefix}_PORT`, { default: defaultPort, min: 0, max: 65535 }),
    jwtSecret,
    // Access tokens are short-lived: a session goes on through its refresh token. At most an hour,
    // the window in which the user service reports ended sessions (docs/security.md).
    jwtTtlSeconds: env.int('JWT_TTL_SECONDS', { default: 900, min: 60, max: 3_600 }),
    faultInjection,
    corsOrigins: [...env.list('CORS_ORIGINS', { default: [] }), ...(production ? [] : [LOCAL_ORIGIN])],
    rateLimits: readRateLimits(env, fail),
    trustProxy: readTrustProxy(env),
    admin: { host: env.string('ADMIN_HOST', { default: '127.0.0.1' }), port: env.int(`${prefix}_ADMIN_PORT`, { default: 0, min: 0, max: 65535 }) },
    publicAdminRoutes: !production,
    drainMs: env.int('SHUTDOWN_DRAIN_MS', { default: production ? 5_000 : 500, min: 0, max: 60_000 }),
  };
}

/** "2" trusts two proxy hops; "10.0.0.1,10.0.0.2" trusts those addresses; unset trusts none. */
function readTrustProxy(env: EnvReader): number | string[] | undefined {
  const text = env.string('TRUST_PROXY', { default: '' }).trim();
  if (!text) return undefined;
  return /^[0-9]+$/.test(text) ? Number(text) : text.split(',').map((part) => part.trim());
}
