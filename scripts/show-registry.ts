/**
 * Starts two EchoService providers and one consumer against the local stack's ZooKeeper, then
 * prints the registry as ZooKeeper's own CLI (zkCli, ZooKeeperMain) shows it. Used to produce the
 * listing in docs/rpc.md:  npx tsx scripts/show-registry.ts
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { echoContract } from '../common/test/support/echo-contract';
import { loadInfraConfig } from '../common/src/config';
import { createLogger } from '../common/src/log';
import { createRpcClient, ZkRegistry } from '../common/src/rpc';
import { ProviderProcess } from '../common/test/support/provider-process';
import { transportAs } from '../common/test/support/infra';

const { zookeeper } = loadInfraConfig();
const ZK = zookeeper.connect;
const VAR = resolve(__dirname, '../var');

function zkCli(...command: string[]): string {
  const java = readFileSync(`${VAR}/run/java-path`, 'utf8').trim();
  return execFileSync(java, ['-cp', `${VAR}/lib/zookeeper/*`, 'org.apache.zookeeper.ZooKeeperMain', '-server', ZK, ...command], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

async function main(): Promise<void> {
  const logger = createLogger('show-registry', 'warn');
  const providers = await Promise.all([ProviderProcess.start(ZK), ProviderProcess.start(ZK, { PROVIDER_WEIGHT: '200' })]);
  const registry = await ZkRegistry.connect({ ...zookeeper, logger });
  const client = await createRpcClient(echoContract, { application: 'ops', registry, logger, transport: transportAs('ops') });
  try {
    const dir = `/dubbo/${echoContract.name}`;
    console.log(`$ zkCli.sh -server ${ZK} ls -R ${dir}`);
    console.log(zkCli('ls', '-R', dir).trim());
    const [first] = (await registry.currentSession.getChildren(`${dir}/providers`)).sort();
    console.log(`\n$ zkCli.sh -server ${ZK} stat ${dir}/providers/${first}`);
    console.log(zkCli('stat', `${dir}/providers/${first}`).trim());
    console.log('\ndecoded:');
    for (const node of (await registry.currentSession.getChildren(`${dir}/providers`)).sort()) console.log(`  ${decodeURIComponent(node)}`);
  } finally {
    await client.$close();
    registry.close();
    await Promise.all(providers.map((p) => p.stop()));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => (console.error(error), process.exit(1)),
);
