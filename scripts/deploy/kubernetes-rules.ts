/**
 * What can be checked of deploy/k8s without a cluster: the objects refer to each other
 * correctly (selectors, Services, budgets, autoscalers, host names in the shop's ConfigMap) and
 * describe the topology of issue 19 (every shop process twice with its budget and probes, a
 * ZooKeeper ensemble of 3, two name servers, two broker masters with slaves, proxies in cluster
 * mode, MySQL primary and replica). Each rule returns the problems it finds, as sentences.
 */
import { type Json, type KubeObject, MAX_PROXY_INVISIBLE_MS, readProperties, readTopics, selects, withinInvisibleBound } from './manifests';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

/** What the rules need besides the objects. */
export interface KubernetesFacts {
  /** The shop's processes (deploy/local/processes.conf without the local Alipay emulator). */
  shopProcesses: string[];
  /** deploy/topics.conf. */
  topicsConf: string;
}

const where = (object: KubeObject) => `${object.file}: ${object.kind} ${object.namespace}/${object.name}`;
const workloads = (objects: KubeObject[]) => objects.filter((object) => WORKLOAD_KINDS.has(object.kind));
const podLabels = (workload: KubeObject): Record<string, string> => workload.body.spec?.template?.metadata?.labels ?? {};
const find = (objects: KubeObject[], kind: string, namespace: string, name: string) =>
  objects.find((object) => object.kind === kind && object.namespace === namespace && object.name === name);

/** Workloads of `namespace` whose pods a selector picks. */
function selected(objects: KubeObject[], namespace: string, selector: Record<string, string> | undefined): KubeObject[] {
  return workloads(objects).filter((workload) => workload.namespace === namespace && selects(selector, podLabels(workload)));
}

/** A Deployment's or StatefulSet's selector must pick its own pods, or it manages none of them. */
export function selectorProblems(objects: KubeObject[]): string[] {
  return workloads(objects).flatMap((workload) =>
    selects(workload.body.spec?.selector?.matchLabels, podLabels(workload))
      ? []
      : [`${where(workload)}: spec.selector.matchLabels does not match the pod template's labels`],
  );
}

/** Every long-running container asks for CPU and memory and has a memory limit: the scheduler places it, a leak cannot take its node. */
export function resourceProblems(objects: KubeObject[]): string[] {
  return workloads(objects).flatMap((workload) =>
    (workload.body.spec?.template?.spec?.containers ?? []).flatMap((container: Json) => {
      const resources = container.resources ?? {};
      return resources.requests?.cpu && resources.requests?.memory && resources.limits?.memory
        ? []
        : [`${where(workload)}: container ${container.name} lacks a CPU or memory request or a memory limit`];
    }),
  );
}

/** A StatefulSet's pods get their names from a headless Service, which must exist. */
export function statefulSetServiceProblems(objects: KubeObject[]): string[] {
  return objects
    .filter((object) => object.kind === 'StatefulSet')
    .flatMap((set) => {
      const service = find(objects, 'Service', set.namespace, String(set.body.spec?.serviceName));
      if (!service) return [`${where(set)}: serviceName ${set.body.spec?.serviceName} names no Service`];
      return service.body.spec?.clusterIP === 'None' ? [] : [`${where(set)}: Service ${service.name} is not headless`];
    });
}

/** Every Service and PodDisruptionBudget selects the pods of some workload. */
export function orphanSelectorProblems(objects: KubeObject[]): string[] {
  return objects.flatMap((object) => {
    if (object.kind === 'Service' && object.body.spec?.type !== 'ExternalName') {
      return selected(objects, object.namespace, object.body.spec?.selector).length ? [] : [`${where(object)}: selects no workload's pods`];
    }
    if (object.kind === 'PodDisruptionBudget') {
      return selected(objects, object.namespace, object.body.spec?.selector?.matchLabels).length ? [] : [`${where(object)}: selects no workload's pods`];
    }
    return [];
  });
}

/** Each shop process: a Deployment of at least 2 replicas, probed, under a PodDisruptionBudget. */
export function shopDeploymentProblems(objects: KubeObject[], facts: KubernetesFacts): string[] {
  const deployments = objects.filter((object) => object.kind === 'Deployment' && podLabels(object).app === 'shop');
  const extra = deployments.filter((deployment) => !facts.shopProcesses.includes(deployment.name)).map((d) => `${where(d)}: not a process of deploy/local/processes.conf`);
  return extra.concat(
    facts.shopProcesses.flatMap((process) => {
      const deployment = deployments.find((candidate) => candidate.name === process);
      if (!deployment) return [`shop process ${process}: no Deployment labelled app: shop`];
      const problems: string[] = [];
      if (!((deployment.body.spec?.replicas ?? 1) >= 2)) problems.push(`${where(deployment)}: fewer than 2 replicas`);
      for (const container of deployment.body.spec?.template?.spec?.containers ?? []) {
        if (!container.readinessProbe) problems.push(`${where(deployment)}: container ${container.name} has no readinessProbe`);
        if (!container.livenessProbe) problems.push(`${where(deployment)}: container ${container.name} has no livenessProbe`);
      }
      const budgets = objects.filter(
        (object) =>
          object.kind === 'PodDisruptionBudget' &&
          object.namespace === deployment.namespace &&
          selects(object.body.spec?.selector?.matchLabels, podLabels(deployment)),
      );
      if (!budgets.length) problems.push(`${where(deployment)}: no PodDisruptionBudget selects its pods`);
      return problems;
    }),
  );
}

/** Autoscalers target Deployments that exist; order-web, pay-web and order have one; never below 2. */
export function autoscalerProblems(objects: KubeObject[], required: string[]): string[] {
  const autoscalers = objects.filter((object) => object.kind === 'HorizontalPodAutoscaler');
  const problems = required.filter((name) => !autoscalers.some((hpa) => hpa.body.spec?.scaleTargetRef?.name === name)).map((name) => `no HorizontalPodAutoscaler for ${name}`);
  for (const hpa of autoscalers) {
    const target = hpa.body.spec?.scaleTargetRef ?? {};
    if (hpa.body.apiVersion !== 'autoscaling/v2') problems.push(`${where(hpa)}: not autoscaling/v2`);
    if (target.kind !== 'Deployment' || !find(objects, 'Deployment', hpa.namespace, String(target.name))) {
      problems.push(`${where(hpa)}: targets ${target.kind} ${target.name}, which does not exist`);
    }
    if (!(hpa.body.spec?.minReplicas >= 2)) problems.push(`${where(hpa)}: minReplicas below 2`);
    if (!(hpa.body.spec?.maxReplicas > hpa.body.spec?.minReplicas)) problems.push(`${where(hpa)}: maxReplicas not above minReplicas`);
  }
  return problems;
}

/**
 * Whether a host name a manifest gives resolves in the cluster: service[.namespace[.svc...]] to a
 * Service, pod.service[.namespace[.svc...]] to a pod of a StatefulSet governed by that Service.
 */
export function resolves(objects: KubeObject[], host: string, fromNamespace: string): boolean {
  const parts = host.replace(/\.svc(\.cluster\.local)?$/, '').split('.');
  const [first = '', second, third] = parts;
  const isPod = (pod: string, service: string, namespace: string) =>
    objects.some((set) => {
      if (set.kind !== 'StatefulSet' || set.namespace !== namespace || set.body.spec?.serviceName !== service) return false;
      const ordinal = pod.startsWith(`${set.name}-`) ? Number(pod.slice(set.name.length + 1)) : NaN;
      return Number.isInteger(ordinal) && ordinal >= 0 && ordinal < (set.body.spec?.replicas ?? 1);
    });
  const isService = (service: string, namespace: string) => Boolean(find(objects, 'Service', namespace, service));
  if (parts.length === 1) return isService(first, fromNamespace);
  if (parts.length === 2) return isPod(first, second!, fromNamespace) || isService(first, second!);
  return parts.length === 3 && isPod(first, second!, third!);
}

const hostOf = (address: string) => address.replace(/^[a-z]+:\/\//, '').replace(/[:/].*$/, '');
const brokerConf = (objects: KubeObject[]) => {
  const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.name === 'rocketmq-broker');
  return readProperties(configMap?.body.data?.['broker.conf'] ?? '');
};

/** The shop's ConfigMap names infrastructure that exists, with the broker's transaction settings. */
export function shopConfigProblems(objects: KubeObject[]): string[] {
  const config = objects.find((object) => object.kind === 'ConfigMap' && object.name === 'shop-config');
  if (!config) return ['no ConfigMap shop-config'];
  const data: Record<string, string> = config.body.data ?? {};
  const problems: string[] = [];
  const addresses: [string, string[]][] = [
    ['MYSQL_HOST', [data.MYSQL_HOST ?? '']],
    ['ZK_CONNECT', (data.ZK_CONNECT ?? '').split(',')],
    ['RMQ_ENDPOINTS', (data.RMQ_ENDPOINTS ?? '').split(',')],
    ['RATE_LIMIT_REDIS_URL', [data.RATE_LIMIT_REDIS_URL ?? '']],
  ];
  for (const [key, values] of addresses) {
    for (const value of values) {
      if (!resolves(objects, hostOf(value), config.namespace)) problems.push(`${where(config)}: ${key} names ${value || 'nothing'}, which no Service or pod answers to`);
    }
  }
  const broker = brokerConf(objects);
  for (const [key, property] of [
    ['RMQ_TX_CHECK_MAX', 'transactionCheckMax'],
    ['RMQ_TX_CHECK_INTERVAL_MS', 'transactionCheckInterval'],
  ] as const) {
    if (data[key] !== broker[property]) problems.push(`${where(config)}: ${key}=${data[key]} but the brokers' ${property}=${broker[property]}`);
  }
  const window = (Number(broker.transactionCheckMax) * Number(broker.transactionCheckInterval)) / 1000;
  if (!(Number(data.PAY_TIMEOUT_SECONDS) < window)) problems.push(`${where(config)}: PAY_TIMEOUT_SECONDS does not fit in the brokers' check-back window (${window} s)`);
  return problems;
}

const replicasOf = (object: KubeObject | undefined): number => object?.body.spec?.replicas ?? 1;
const byApp = (objects: KubeObject[], kind: string, app: string) => objects.filter((object) => object.kind === kind && podLabels(object).app === app);
const budgetFor = (objects: KubeObject[], workload: KubeObject) =>
  objects.find((object) => object.kind === 'PodDisruptionBudget' && object.namespace === workload.namespace && selects(object.body.spec?.selector?.matchLabels, podLabels(workload)));
const containerText = (workload: KubeObject) => JSON.stringify(workload.body.spec?.template?.spec?.containers ?? []);
const envOf = (workload: KubeObject, name: string): unknown =>
  (workload.body.spec?.template?.spec?.containers ?? []).flatMap((container: Json) => container.env ?? []).find((env: Json) => env.name === name)?.value;

/** The infrastructure of issue 19: its pieces, their counts, and the names they find each other by. */
export function infrastructureProblems(objects: KubeObject[], facts: KubernetesFacts): string[] {
  const problems: string[] = [];
  const zookeeper = byApp(objects, 'StatefulSet', 'zookeeper');
  const ensemble = zookeeper[0];
  if (zookeeper.length !== 1 || replicasOf(ensemble) !== 3) problems.push('ZooKeeper: not one StatefulSet of 3');
  if (ensemble) {
    if (!ensemble.body.spec?.volumeClaimTemplates?.length) problems.push(`${where(ensemble)}: no persistent volumes`);
    if (budgetFor(objects, ensemble)?.body.spec?.maxUnavailable !== 1) problems.push(`${where(ensemble)}: no PodDisruptionBudget of maxUnavailable 1`);
    const servers = String(envOf(ensemble, 'ZOO_SERVERS') ?? '');
    const hosts = [...servers.matchAll(/server\.\d+=([^:]+):/g)].map((match) => match[1] ?? '');
    if (hosts.length !== replicasOf(ensemble) || !hosts.every((host) => resolves(objects, host, ensemble.namespace))) {
      problems.push(`${where(ensemble)}: ZOO_SERVERS does not name each member`);
    }
  }

  const namesrv = byApp(objects, 'StatefulSet', 'rocketmq-namesrv');
  if (namesrv.length !== 1 || replicasOf(namesrv[0]) !== 2) problems.push('RocketMQ: not one StatefulSet of 2 name servers');

  const brokers = byApp(objects, 'StatefulSet', 'rocketmq-broker');
  if (brokers.length !== 2) problems.push(`RocketMQ: ${brokers.length} broker masters (StatefulSets), not 2`);
  for (const broker of brokers) {
    if (replicasOf(broker) !== 2) problems.push(`${where(broker)}: not a master and its slave (2 replicas)`);
    if (!broker.body.spec?.volumeClaimTemplates?.length) problems.push(`${where(broker)}: no persistent volume for the store`);
  }
  const conf = brokerConf(objects);
  const namespace = brokers[0]?.namespace ?? 'shop-infra';
  const namesrvAddresses = (conf.namesrvAddr ?? '').split(';');
  if (namesrvAddresses.length !== replicasOf(namesrv[0]) || !namesrvAddresses.every((address) => resolves(objects, hostOf(address), namespace))) {
    problems.push("RocketMQ: the brokers' namesrvAddr does not name each name server");
  }
  if (conf.autoCreateTopicEnable !== 'false') problems.push('RocketMQ: brokers create topics on first use (autoCreateTopicEnable)');

  const proxies = byApp(objects, 'Deployment', 'rocketmq-proxy');
  const proxy = proxies[0];
  if (proxies.length !== 1 || replicasOf(proxy) < 2) problems.push('RocketMQ: not one Deployment of 2 or more proxies');
  if (proxy && !/"-pm","cluster"/.test(containerText(proxy))) problems.push(`${where(proxy)}: not started in cluster mode (-pm cluster)`);
  const proxyService = objects.find((object) => object.kind === 'Service' && proxy && selects(object.body.spec?.selector, podLabels(proxy)));
  if (!proxyService?.body.spec?.ports?.some((port: Json) => port.port === 8081)) problems.push('RocketMQ: no Service on 8081 for the proxies');
  const proxyConf = objects.find((object) => object.kind === 'ConfigMap' && object.name === 'rocketmq-proxy')?.body.data?.['rmq-proxy.json'];
  if (!withinInvisibleBound(proxyConf)) problems.push(`RocketMQ: the proxies' defaultInvisibleTimeMills is not at most ${MAX_PROXY_INVISIBLE_MS} (rmq-proxy.json)`);

  const topics = objects.find((object) => object.kind === 'ConfigMap' && object.name === 'rocketmq-topics');
  if (readTopics(topics?.body.data?.['topics.conf'] ?? '').join(', ') !== readTopics(facts.topicsConf).join(', ')) {
    problems.push('RocketMQ: the rocketmq-topics ConfigMap differs from deploy/topics.conf');
  }
  if (!objects.some((object) => object.kind === 'Job' && /updateTopic/.test(JSON.stringify(object.body)))) problems.push('RocketMQ: no Job creates the topics');

  return problems.concat(mysqlProblems(objects));
}

function mysqlProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const sets = byApp(objects, 'StatefulSet', 'mysql');
  const primary = sets.find((set) => podLabels(set).role === 'primary');
  const replica = sets.find((set) => podLabels(set).role === 'replica');
  if (sets.length !== 2 || !primary || !replica || replicasOf(primary) !== 1 || replicasOf(replica) !== 1) {
    return ['MySQL: not a primary StatefulSet and a replica StatefulSet of one pod each'];
  }
  const service = find(objects, 'Service', primary.namespace, 'mysql');
  if (!service || !selects(service.body.spec?.selector, podLabels(primary)) || selects(service.body.spec?.selector, podLabels(replica))) {
    problems.push('MySQL: the Service "mysql" the shop writes to does not select the primary alone');
  }
  // The replica's init script names its source: the primary's pod.
  const scripts = JSON.stringify(objects.filter((object) => object.kind === 'ConfigMap' && object.namespace === primary.namespace).map((map) => map.body.data));
  const source = /SOURCE_HOST='([^']+)'/.exec(scripts)?.[1] ?? '';
  const sourceIsPrimary = source.startsWith(`${primary.name}-0.`) && resolves(objects, source, primary.namespace);
  if (!sourceIsPrimary) problems.push(`MySQL: the replica's SOURCE_HOST (${source || 'none'}) is not the primary's pod`);
  return problems;
}

/** Every rule over the objects of deploy/k8s. */
export function kubernetesProblems(objects: KubeObject[], facts: KubernetesFacts): string[] {
  return [
    ...selectorProblems(objects),
    ...resourceProblems(objects),
    ...statefulSetServiceProblems(objects),
    ...orphanSelectorProblems(objects),
    ...shopDeploymentProblems(objects, facts),
    ...autoscalerProblems(objects, ['order-web', 'pay-web', 'order']),
    ...shopConfigProblems(objects),
    ...infrastructureProblems(objects, facts),
  ];
}
