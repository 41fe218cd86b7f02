/**
 * Puts the shop's ACL on every node of its trees. Nodes created before the ACLs existed (a
 * machine that ran an older version), or by a process without the digest while the parent was
 * still open, keep the open ACL they were created with: ZooKeeper neither inherits ACLs nor
 * changes them later. Run by the local stack before its processes start (deploy/local/system.sh
 * up), and by operators after an upgrade or a digest rotation (`npm run zk:secure`,
 * docs/security.md).
 */
import { ZkErrorCode, zkErrorCode, type ZkSession } from './zk-session';
import { credentialsOf, sameAcls } from './zk-acl';

/** The trees the shop writes: Dubbo's registry, and its own (snowflake worker leases). */
export const SHOP_TREES: readonly string[] = ['/dubbo', '/shop'];

export interface SecureTreeReport {
  /** Nodes looked at. */
  checked: number;
  /** Nodes whose ACL was replaced. */
  secured: string[];
  /** Nodes whose ACL differs and that this session may not change (no ADMIN right on them). */
  refused: string[];
}

/**
 * Gives every node under `roots`, the roots included, the session's ACL where it differs, and
 * creates a missing root with it (so that nobody creates it open first). Idempotent; reads
 * only, where nothing differs. A node that disappears meanwhile (an ephemeral provider that
 * stopped) is skipped. Changing a node's ACL needs ADMIN on it: an open node grants it to
 * anyone, a node of the previous digest to a session that also carries ZK_DIGEST_PREVIOUS.
 */
export async function secureTree(session: ZkSession, roots: readonly string[] = SHOP_TREES): Promise<SecureTreeReport> {
  if (credentialsOf(session.options).length === 0) throw new Error('securing the ZooKeeper trees needs a session with the digest (ZK_DIGEST)');
  const report: SecureTreeReport = { checked: 0, secured: [], refused: [] };
  for (const root of roots) {
    await session.mkdirp(root);
    await secureNode(session, root, report);
  }
  return report;
}

async function secureNode(session: ZkSession, path: string, report: SecureTreeReport): Promise<void> {
  const children = await skipGone(async () => {
    const { acls } = await session.getAcl(path);
    report.checked++;
    if (!sameAcls(acls, session.acls)) {
      try {
        await session.setAcl(path, session.acls);
        report.secured.push(path);
      } catch (error) {
        if (zkErrorCode(error) !== ZkErrorCode.NO_AUTH) throw error;
        report.refused.push(path);
      }
    }
    return session.getChildren(path);
  });
  // Siblings in parallel: one round trip per level rather than per node.
  await Promise.all((children ?? []).map((child) => secureNode(session, `${path}/${child}`, report)));
}

/** Runs `work` on a node; undefined when the node is gone meanwhile. */
async function skipGone<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (zkErrorCode(error) === ZkErrorCode.NO_NODE) return undefined;
    throw error;
  }
}
