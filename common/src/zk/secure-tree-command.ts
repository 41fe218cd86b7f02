/**
 * The operator's command that secures the shop's ZooKeeper trees (secure-tree.ts):
 *
 *   npm run zk:secure          (node common/dist/zk/secure-tree-command.js)
 *
 * Settings: ZK_CONNECT, ZK_DIGEST, ZK_DIGEST_PREVIOUS (common/src/config/zookeeper-config.ts),
 * NODE_ENV. Production unless NODE_ENV says otherwise, like the services: run bare, it refuses
 * the published development digest instead of locking the trees with it, which would shut the
 * real processes out. The local stack runs it with NODE_ENV=development (deploy/local/system.sh).
 * Exit 0: every node carries the shop's ACL; 1: some could not be changed, or no connection.
 */
import { defineConfig } from '../config/env-reader';
import { readZookeeperConfig } from '../config/zookeeper-config';
import { SHOP_TREES, secureTree } from './secure-tree';
import { ZkSession } from './zk-session';

async function main(): Promise<number> {
  const config = defineConfig((env, fail) => {
    const production = env.string('NODE_ENV', { default: 'production', oneOf: ['development', 'test', 'production'] }) === 'production';
    return readZookeeperConfig(env, fail, production);
  });
  // system.sh runs this right after infra.sh found ZooKeeper answering: a server about to serve.
  const session = await ZkSession.openPatiently(config, 60_000, (error) =>
    console.error(`[zk-secure] ${error instanceof Error ? error.message : String(error)}; trying again`),
  );
  try {
    const started = Date.now();
    const report = await secureTree(session);
    const secured =
      report.secured.length > 0
        ? `; ACL set on ${report.secured.length}: ${report.secured.slice(0, 5).join(', ')}${report.secured.length > 5 ? ', ...' : ''}`
        : '';
    console.log(`[zk-secure] ${config.connect}: ${report.checked} nodes under ${SHOP_TREES.join(', ')} checked in ${Date.now() - started} ms${secured}`);
    for (const path of report.refused) console.error(`[zk-secure] ${path}: its ACL is another one and does not let this digest change it`);
    return report.refused.length === 0 ? 0 : 1;
  } finally {
    session.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`[zk-secure] ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
