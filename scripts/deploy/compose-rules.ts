/**
 * deploy/docker-compose.yml describes the topology of deploy/k8s on one Docker host: the same
 * infrastructure pieces in the same numbers, every shop process at least twice, and addresses
 * and settings that agree with each other. Without Docker, the file is checked as data.
 */
import { type Json, MAX_PROXY_INVISIBLE_MS, readProperties, readTopics, withinInvisibleBound } from './manifests';

/** What the compose file must match: counts from the Kubernetes manifests, files beside it. */
export interface ComposeFacts {
  /** The shop's processes and their entry points (deploy/local/processes.conf, the emulator left out). */
  shopProcesses: { name: string; entry: string }[];
  zookeeperMembers: number;
  nameServers: number;
  brokerMasters: number;
  proxies: number;
  /** Reads a file the compose file mounts, by its path relative to deploy/. */
  readDeployFile: (path: string) => string;
}

type Service = { name: string; body: Json };

const commandOf = (service: Service) => [service.body.entrypoint ?? [], service.body.command ?? []].flat().join(' ');
const envOf = (service: Service): Record<string, string> => service.body.environment ?? {};
const instances = (service: Service): number => service.body.deploy?.replicas ?? 1;
const mountedFiles = (service: Service): string[] =>
  (service.body.volumes ?? []).map((volume: string) => volume.split(':')[0] ?? '').filter((source: string) => source.startsWith('./'));

export function composeProblems(compose: Json, facts: ComposeFacts): string[] {
  const services: Service[] = Object.entries(compose?.services ?? {}).map(([name, body]) => ({ name, body }));
  const names = new Set(services.map((service) => service.name));
  const aliases = new Set(services.flatMap((service) => service.body.networks?.default?.aliases ?? []));
  const answers = (host: string) => names.has(host) || aliases.has(host);
  const problems: string[] = [];

  const zookeeper = services.filter((service) => String(service.body.image).startsWith('zookeeper:'));
  if (zookeeper.length !== facts.zookeeperMembers) problems.push(`compose: ${zookeeper.length} ZooKeeper members, Kubernetes runs ${facts.zookeeperMembers}`);
  for (const member of zookeeper) {
    const listed = [...String(envOf(member).ZOO_SERVERS ?? '').matchAll(/server\.\d+=([^:]+):/g)].map((match) => match[1]);
    if (listed.length !== zookeeper.length || !zookeeper.every((other) => listed.includes(other.name))) problems.push(`compose: ${member.name}'s ZOO_SERVERS does not name every member`);
  }
  if (new Set(zookeeper.map((member) => envOf(member).ZOO_MY_ID)).size !== zookeeper.length) problems.push('compose: ZooKeeper members share a ZOO_MY_ID');

  const namesrv = services.filter((service) => /\bmqnamesrv\b/.test(commandOf(service)));
  if (namesrv.length !== facts.nameServers) problems.push(`compose: ${namesrv.length} name servers, Kubernetes runs ${facts.nameServers}`);

  const brokers = services.filter((service) => /\bmqbroker\b/.test(commandOf(service)));
  const masters = brokers.filter((broker) => envOf(broker).BROKER_ID === '0');
  if (new Set(masters.map((master) => envOf(master).BROKER_NAME)).size !== facts.brokerMasters || masters.length !== facts.brokerMasters) {
    problems.push(`compose: ${masters.length} broker masters, Kubernetes runs ${facts.brokerMasters}`);
  }
  for (const master of masters) {
    const slave = brokers.find((broker) => envOf(broker).BROKER_NAME === envOf(master).BROKER_NAME && envOf(broker).BROKER_ROLE === 'SLAVE');
    if (!slave) problems.push(`compose: broker ${envOf(master).BROKER_NAME} has no slave`);
  }
  for (const broker of brokers) {
    if (envOf(broker).BROKER_HOST !== broker.name) problems.push(`compose: ${broker.name} registers as ${envOf(broker).BROKER_HOST}, not its own name`);
  }

  const proxies = services.filter((service) => /\bmqproxy\b/.test(commandOf(service)));
  const proxyInstances = proxies.reduce((sum, proxy) => sum + instances(proxy), 0);
  if (proxyInstances !== facts.proxies) problems.push(`compose: ${proxyInstances} proxies, Kubernetes runs ${facts.proxies}`);
  if (proxies.some((proxy) => !/-pm cluster/.test(commandOf(proxy)))) problems.push('compose: a proxy not in cluster mode');
  const proxyConfOf = (proxy: Service) => /echo '(\{.*\})' >\/tmp\/rmq-proxy\.json/.exec(commandOf(proxy))?.[1];
  if (proxies.some((proxy) => !/-pc \/tmp\/rmq-proxy\.json/.test(commandOf(proxy)) || !withinInvisibleBound(proxyConfOf(proxy)))) {
    problems.push(`compose: a proxy whose defaultInvisibleTimeMills is not at most ${MAX_PROXY_INVISIBLE_MS}`);
  }

  const shopEnv = services.find((service) => String(service.body.image).startsWith('shop'))?.body.environment ?? {};
  problems.push(...mysqlProblems(services, String(shopEnv.MYSQL_HOST), facts));

  const brokerConf = readProperties(facts.readDeployFile('docker/broker.conf'));
  for (const address of (brokerConf.namesrvAddr ?? '').split(';')) {
    if (!namesrv.some((server) => address === `${server.name}:9876`)) problems.push(`compose: broker.conf's namesrvAddr names ${address}, not a name server`);
  }
  if (brokerConf.transactionCheckMax !== shopEnv.RMQ_TX_CHECK_MAX || brokerConf.transactionCheckInterval !== shopEnv.RMQ_TX_CHECK_INTERVAL_MS) {
    problems.push("compose: the shop's RMQ_TX_CHECK_* differ from broker.conf's transaction check settings");
  }
  for (const host of String(shopEnv.ZK_CONNECT ?? '').split(',')) {
    if (!zookeeper.some((member) => host === `${member.name}:2181`)) problems.push(`compose: ZK_CONNECT names ${host}, not a ZooKeeper member`);
  }
  const endpoint = String(shopEnv.RMQ_ENDPOINTS ?? '').replace(/:.*/, '');
  if (!proxies.every((proxy) => proxy.body.networks?.default?.aliases?.includes(endpoint) || proxy.name === endpoint)) problems.push(`compose: RMQ_ENDPOINTS (${endpoint}) does not reach every proxy`);
  const redis = String(shopEnv.RATE_LIMIT_REDIS_URL ?? '').replace(/^redis:\/\//, '').replace(/:.*/, '');
  if (!answers(redis)) problems.push(`compose: RATE_LIMIT_REDIS_URL names ${redis}, which is no service`);

  const topics = services.find((service) => /updateTopic/.test(commandOf(service)));
  if (!topics || !mountedFiles(topics).includes('./topics.conf')) problems.push('compose: no service creates the topics of deploy/topics.conf');
  else if (!readTopics(facts.readDeployFile('topics.conf')).length) problems.push('compose: deploy/topics.conf lists no topic');

  for (const process of facts.shopProcesses) {
    const running = services.filter((service) => commandOf(service).includes(process.entry)).reduce((sum, service) => sum + instances(service), 0);
    if (running < 2) problems.push(`compose: shop process ${process.name} runs ${running} time(s), not at least 2`);
  }
  return problems;
}

/** A primary the shop writes to and a replica whose init script replicates it. */
function mysqlProblems(services: Service[], shopHost: string, facts: ComposeFacts): string[] {
  const mysql = services.filter((service) => String(service.body.image).startsWith('mysql:'));
  const primary = mysql.find((service) => service.name === shopHost);
  if (!primary) return [`compose: the shop's MYSQL_HOST (${shopHost}) is not a MySQL service`];
  const replicas = mysql.filter((service) =>
    mountedFiles(service).some((file) => new RegExp(`SOURCE_HOST='${primary.name}'`).test(facts.readDeployFile(file.slice(2)))),
  );
  const problems: string[] = [];
  if (mysql.length !== 2 || replicas.length !== 1) problems.push('compose: not one MySQL primary and one replica of it');
  if (replicas.includes(primary)) problems.push('compose: the shop writes to a replica');
  return problems;
}
