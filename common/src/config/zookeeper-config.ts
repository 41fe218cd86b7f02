/**
 * Where ZooKeeper is and the digest credential the shop's processes write with.
 *
 * - `ZK_CONNECT`, `ZK_SESSION_TIMEOUT_MS`: the ensemble and the session timeout.
 * - `ZK_DIGEST` ("user:password"): every process authenticates with it, and every node it
 *   creates under /dubbo and /shop may be changed only by that identity (anyone may read:
 *   common/src/zk/zk-acl.ts). Outside production it defaults to a value published in this
 *   repository; production refuses that value and a missing one, as it refuses the published JWT
 *   secret: with it, anyone reaching ZooKeeper could register a fake provider again.
 * - `ZK_DIGEST_PREVIOUS`: during a rotation only (docs/security.md): the digest being replaced.
 *   The process authenticates with it too and grants it the same rights in the nodes it creates,
 *   so that processes still on the old digest and processes on the new one can work on each
 *   other's nodes until every process has moved on.
 */
import type { EnvReader } from './env-reader';

export interface ZookeeperConfig {
  /** host:port[,host:port...][/chroot] */
  connect: string;
  sessionTimeoutMs: number;
  /** "user:password": the identity allowed to write the shop's nodes. */
  digest: string;
  /** The digest being rotated out, still accepted and granted (docs/security.md). */
  previousDigest?: string;
}

/** The development and test digest, published here: refused when NODE_ENV=production. */
export const DEVELOPMENT_ZK_DIGEST = 'shop:shop-development-digest';

export function readZookeeperConfig(env: EnvReader, fail: (problem: string) => void, production: boolean): ZookeeperConfig {
  const digest = env.string('ZK_DIGEST', { default: production ? '' : DEVELOPMENT_ZK_DIGEST });
  const previousDigest = env.string('ZK_DIGEST_PREVIOUS', { default: '' });
  if (production && !digest)
    fail('ZK_DIGEST ("user:password") is required when NODE_ENV=production: without it anyone reaching ZooKeeper could register a provider');
  for (const [name, value] of [
    ['ZK_DIGEST', digest],
    ['ZK_DIGEST_PREVIOUS', previousDigest],
  ] as const) {
    if (!value) continue;
    if (!/^[^:]+:.+$/.test(value)) fail(`${name} must be "user:password" (a user without ":", a password not empty)`);
    if (production && value === DEVELOPMENT_ZK_DIGEST) fail(`${name} is the development digest published in the repository: refused when NODE_ENV=production`);
  }
  if (previousDigest && previousDigest === digest) fail('ZK_DIGEST_PREVIOUS is the same as ZK_DIGEST: unset it once a rotation is over');
  return {
    connect: env.string('ZK_CONNECT', { default: '127.0.0.1:2181' }),
    sessionTimeoutMs: env.int('ZK_SESSION_TIMEOUT_MS', { default: 10_000, min: 2_000, max: 60_000 }),
    digest,
    ...(previousDigest && { previousDigest }),
  };
}
