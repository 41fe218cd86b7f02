/**
 * The ACL of every node the shop writes: the shop's digest identities may do everything, anyone
 * may read. Reading stays open on purpose: Dubbo admin, zkCli and monitoring list providers
 * without credentials, and a provider URL is no secret (the services authenticate their callers
 * with mutual TLS). What the ACL stops is writing: a process without the digest cannot register
 * a provider, remove or rewrite one, nor change the ACL back.
 *
 * ZooKeeper does not inherit ACLs: every node must be created with them (ZkSession does), and
 * nodes created before, or by a process without the digest, are fixed by secureTree.
 */
import { createHash } from 'node:crypto';
import zookeeper, { type ACL } from 'node-zookeeper-client';

/** The digest credentials of a session: the current one, and during a rotation the previous one. */
export interface ZkDigestCredentials {
  /** "user:password" */
  digest?: string;
  previousDigest?: string;
}

/**
 * ZooKeeper's id of a digest credential, as DigestAuthenticationProvider computes it:
 * `user:base64(sha1("user:password"))`. The password itself never goes into an ACL.
 */
export function digestId(credential: string): string {
  const user = credential.slice(0, credential.indexOf(':'));
  return `${user}:${createHash('sha1').update(credential).digest('base64')}`;
}

/** The credentials to authenticate with, current first. */
export function credentialsOf(credentials: ZkDigestCredentials): string[] {
  return [credentials.digest, credentials.previousDigest].filter((value): value is string => !!value);
}

/** ALL for each digest identity, READ for anyone. */
export function shopAcls(credentials: ZkDigestCredentials): ACL[] {
  const ids = credentialsOf(credentials);
  if (ids.length === 0) throw new Error('the shop ACL needs a digest (ZK_DIGEST)');
  return [
    ...ids.map((credential) => new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', digestId(credential)))),
    new zookeeper.ACL(zookeeper.Permission.READ, new zookeeper.Id('world', 'anyone')),
  ];
}

/** What ZooKeeper's clients create by default: anyone may do everything. */
export const OPEN_ACLS: readonly ACL[] = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];

/**
 * The permission bits of an ACL entry. The library's objects carry them as `permission`, while
 * @types/node-zookeeper-client declares `perms`: read whichever is there.
 */
export function permissionsOf(acl: ACL): number {
  const entry = acl as ACL & { permission?: number };
  return entry.permission ?? entry.perms;
}

/** Whether two ACLs grant the same rights to the same ids (in any order). */
export function sameAcls(a: readonly ACL[], b: readonly ACL[]): boolean {
  const key = (acl: ACL) => `${acl.id.scheme}|${acl.id.id}|${permissionsOf(acl)}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((value, i) => value === right[i]);
}
