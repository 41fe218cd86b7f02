/**
 * Rate limits of the front doors (@fastify/rate-limit's counters, in Redis when configured so
 * that every instance of a front door counts together, in memory otherwise): what a client may
 * ask per window, per IP, per account or per user, answered `429 RATE_LIMITED` with
 * `Retry-After` beyond it. What each limit stops is in docs/security.md.
 *
 * The limits are settings (RATE_LIMIT_<NAME>="max/seconds"), and RATE_LIMIT_SCALE multiplies
 * every max: the local stack raises them a thousandfold because its tests, benches and chaos
 * runs all come from 127.0.0.1 (never an exemption by address).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Redis from 'ioredis';
import type { EnvReader } from '../config';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../log';

export interface Limit {
  max: number;
  windowSeconds: number;
}

/** The defaults, for a shop on the internet; each one a setting. */
export const DEFAULT_LIMITS = {
  /** Sign-in attempts from one address (brute force over many accounts, scrypt CPU). */
  loginPerIp: { max: 30, windowSeconds: 60 },
  /** Failed sign-ins of one account, from anywhere (password guessing); its owner waits the window out. */
  loginFailuresPerAccount: { max: 5, windowSeconds: 300 },
  /** Sign-ups from one address (account spam, scrypt CPU). */
  signupPerIp: { max: 10, windowSeconds: 3600 },
  /** Orders placed (or tried) by one user. */
  ordersPerUser: { max: 60, windowSeconds: 60 },
  /** Payments created by one user. */
  paymentsPerUser: { max: 30, windowSeconds: 60 },
  /** Refunds asked by one user. */
  refundsPerUser: { max: 10, windowSeconds: 60 },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof DEFAULT_LIMITS;

export interface RateLimitSettings {
  limits: Record<LimitName, Limit>;
  /** Where the counters live, shared by every instance (redis://host:port/db); memory when absent. */
  redisUrl?: string;
  /** The counters' key prefix in Redis. */
  namespace: string;
}

const SETTING = /^([0-9]+)\/([0-9]+)$/;
const settingName = (name: string) => `RATE_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** RATE_LIMIT_LOGIN_PER_IP="30/60" and so on, RATE_LIMIT_SCALE, RATE_LIMIT_REDIS_URL, RATE_LIMIT_NAMESPACE. */
export function readRateLimits(env: EnvReader, fail: (problem: string) => void): RateLimitSettings {
  const scale = env.int('RATE_LIMIT_SCALE', { default: 1, min: 1, max: 1_000_000 });
  const limits = {} as Record<LimitName, Limit>;
  for (const [name, fallback] of Object.entries(DEFAULT_LIMITS) as [LimitName, Limit][]) {
    const variable = settingName(name);
    const text = env.string(variable, { default: `${fallback.max}/${fallback.windowSeconds}` });
    const parsed = SETTING.exec(text);
    if (!parsed || Number(parsed[1]) < 1 || Number(parsed[2]) < 1) fail(`${variable}="${text}" must be "max/seconds", both at least 1`);
    limits[name] = parsed ? { max: Number(parsed[1]) * scale, windowSeconds: Number(parsed[2]) } : fallback;
  }
  const redisUrl = env.string('RATE_LIMIT_REDIS_URL', { default: '' });
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) fail('RATE_LIMIT_REDIS_URL must be a redis:// or rediss:// URL');
  return { limits, redisUrl: redisUrl || undefined, namespace: env.string('RATE_LIMIT_NAMESPACE', { default: 'shop-rate-limit:' }) };
}

/** One counter: what it limits, and whose requests it counts (undefined: this request is not counted). */
export interface LimitRule {
  name: LimitName;
  key: (request: FastifyRequest) => string | undefined;
}

/** @fastify/rate-limit's createRateLimit: counts (or only reads, `increment: false`) the request's key. */
type Counter = (
  request: FastifyRequest,
  options?: { increment: boolean },
) => Promise<{ isAllowed: boolean; isExceeded?: boolean; remaining?: number; ttlInSeconds?: number }>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's limits (createHttpApp's rateLimits option); null when the app has none. */
    rateLimits: RateLimitSettings | null;
  }
}

/**
 * Registers the counters' store. A Redis that does not answer lets requests through (logged):
 * an outage of the limiter must not take the shop down with it.
 */
export function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings, logger: Logger): void {
  const redis = settings.redisUrl
    ? new Redis(settings.redisUrl, { connectTimeout: 1_000, commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'rate-limit store (Redis) unreachable: requests are not limited meanwhile'));
  if (redis) app.addHook('onClose', async () => void redis.disconnect());
  void app.register(rateLimit, { global: false, redis, nameSpace: settings.namespace, skipOnError: true });
  app.decorate('rateLimits', settings);
}

const counters = new WeakMap<FastifyInstance, Map<LimitName, Counter>>();

function counterOf(app: FastifyInstance, name: LimitName): Counter {
  let byName = counters.get(app);
  if (!byName) counters.set(app, (byName = new Map()));
  let counter = byName.get(name);
  if (!counter) {
    const limit = app.rateLimits!.limits[name];
    // The key carries the limit's name: one store holds every limit's counters.
    const made = app.createRateLimit({ max: limit.max, timeWindow: limit.windowSeconds * 1_000, keyGenerator: (request) => `${name}:${keyOf(request)}` });
    counter = made as Counter;
    byName.set(name, counter);
  }
  return counter;
}

/** The key a rule computed for the request, kept on it for the store's key generator. */
const RULE_KEY = Symbol('rate-limit-key');
const keyOf = (request: FastifyRequest) => (request as unknown as Record<symbol, string>)[RULE_KEY];

/** The rule's counter for the request, counted or only read; undefined when the rule does not count it. */
async function counted(request: FastifyRequest, rule: LimitRule, increment: boolean) {
  const key = rule.key(request);
  if (key === undefined || !request.server.rateLimits) return undefined;
  (request as unknown as Record<symbol, string>)[RULE_KEY] = key;
  return counterOf(request.server, rule.name)(request, { increment });
}

/** Counts (or reads) the request against the rule, and refuses it when the rule is over its limit. */
async function count(request: FastifyRequest, rule: LimitRule, increment: boolean): Promise<void> {
  const result = await counted(request, rule, increment);
  if (!result) return;
  // Counting, the request is over when it went past the limit; reading, when the limit is reached.
  const exceeded = increment ? !result.isAllowed && result.isExceeded : result.remaining === 0;
  if (exceeded) throw tooMany(result.ttlInSeconds ?? request.server.rateLimits!.limits[rule.name].windowSeconds);
}

function tooMany(retryAfterSeconds: number): AppError {
  return new AppError(ErrorCode.RATE_LIMITED, `too many requests: try again in ${retryAfterSeconds} s`, { retryAfterSeconds: Math.max(1, retryAfterSeconds) });
}

/**
 * preHandler: counts the request against every rule and refuses it (429 RATE_LIMITED,
 * Retry-After) when one is over its limit. After requireUser, a rule may key on the principal.
 */
export function limitedBy(...rules: LimitRule[]) {
  return async (request: FastifyRequest): Promise<void> => {
    for (const rule of rules) await count(request, rule, true);
  };
}

/**
 * A limit on failures only (wrong passwords): `check` refuses while the key is at its limit,
 * without counting; `failed` counts one failure. Success costs nothing, so an account's owner
 * who types her password right is never limited unless someone else is guessing it.
 */
export function failureLimit(rule: LimitRule) {
  return {
    check: (request: FastifyRequest) => count(request, rule, false),
    failed: async (request: FastifyRequest) => void (await counted(request, rule, true)),
  };
}

/** The client's address as the app sees it (behind a proxy: TRUST_PROXY decides). */
export const byIp = (request: FastifyRequest) => request.ip;
/** The signed-in user (after requireUser). */
export const byUser = (request: FastifyRequest) => request.principal?.userId;
