/**
 * deploy/k8s and deploy/docker-compose.yml without a cluster or Docker (CI has neither): every
 * file parses as kubectl and compose would read it, and the objects describe the topology of
 * issue 19 with references that hold (scripts/deploy/*-rules.ts). Each rule is also shown to
 * fail on a copy of the manifests broken the way it guards against.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ComposeFacts, composeProblems } from '../deploy/compose-rules';
import { type KubernetesFacts, kubernetesProblems } from '../deploy/kubernetes-rules';
import { type Json, type KubeObject, loadKubeObjects, parseYaml, readProcessList } from '../deploy/manifests';

const ROOT = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// The local Alipay and WeChat Pay emulators stand in for Alipay and WeChat Pay: they have no place in a cluster.
const EMULATORS = ['alipay-gateway', 'wechatpay-gateway'];
const processes = readProcessList(read('deploy/local/processes.conf')).filter((process) => !EMULATORS.includes(process.name));
const kubeFacts: KubernetesFacts = { shopProcesses: processes.map((process) => process.name), topicsConf: read('deploy/topics.conf') };

const loadObjects = () => loadKubeObjects(join(ROOT, 'deploy/k8s'), ROOT, 'shop');
const loadCompose = (): Json => parseYaml(read('deploy/docker-compose.yml'), 'deploy/docker-compose.yml')[0];

function composeFacts(objects: KubeObject[]): ComposeFacts {
  const replicas = (kind: string, app: string) =>
    objects
      .filter((object) => object.kind === kind && object.body.spec?.template?.metadata?.labels?.app === app)
      .reduce((sum, object) => sum + (object.body.spec?.replicas ?? 1), 0);
  return {
    shopProcesses: processes,
    zookeeperMembers: replicas('StatefulSet', 'zookeeper'),
    nameServers: replicas('StatefulSet', 'rocketmq-namesrv'),
    // One master per broker StatefulSet (ordinal 0), the other ordinals its slaves.
    brokerMasters: objects.filter((object) => object.kind === 'StatefulSet' && object.body.spec?.template?.metadata?.labels?.app === 'rocketmq-broker').length,
    proxies: replicas('Deployment', 'rocketmq-proxy'),
    readDeployFile: (path) => read(join('deploy', path)),
  };
}

/** The manifests with one object changed by `change` (a deep copy: each test breaks its own). */
function broken(kind: string, name: string, change: (body: Json) => void): KubeObject[] {
  const objects = structuredClone(loadObjects());
  const target = objects.find((object) => object.kind === kind && object.name === name);
  assert.ok(target, `${kind} ${name} exists`);
  change(target.body);
  return objects;
}

const without = (objects: KubeObject[], kind: string, name: string) => objects.filter((object) => !(object.kind === kind && object.name === name));
const kubeFinds = (objects: KubeObject[], pattern: RegExp) => {
  const problems = kubernetesProblems(objects, kubeFacts);
  assert.ok(
    problems.some((problem) => pattern.test(problem)),
    `expected a problem matching ${pattern}, got ${JSON.stringify(problems)}`,
  );
};
const composeFinds = (compose: Json, pattern: RegExp) => {
  const problems = composeProblems(compose, composeFacts(loadObjects()));
  assert.ok(
    problems.some((problem) => pattern.test(problem)),
    `expected a problem matching ${pattern}, got ${JSON.stringify(problems)}`,
  );
};

describe('deploy manifests (Kubernetes and compose, no cluster)', () => {
  it('parses every YAML document of deploy/k8s and the compose file', () => {
    const objects = loadObjects();
    assert.ok(objects.length > 40, `${objects.length} objects`);
    for (const object of objects) assert.ok(object.body.apiVersion && object.kind && object.name !== 'undefined', `${object.file}: apiVersion, kind and name`);
    assert.ok(Object.keys(loadCompose().services).length > 20);
  });

  it('refuses a duplicate key, which kubectl refuses and a lenient parser hides', () => {
    assert.throws(() => parseYaml('spec:\n  volumes: []\n  volumes: [a]\n', 'pay.yaml'), /pay\.yaml: .*unique/);
  });

  it('finds no problem in deploy/k8s', () => {
    assert.deepEqual(kubernetesProblems(loadObjects(), kubeFacts), []);
  });

  it('finds no problem in deploy/docker-compose.yml, which matches the Kubernetes topology', () => {
    assert.deepEqual(composeProblems(loadCompose(), composeFacts(loadObjects())), []);
  });

  describe('fails a manifest that breaks a rule', () => {
    it('a selector that no longer matches its pods', () =>
      kubeFinds(
        broken('Deployment', 'goods', (body) => (body.spec.selector.matchLabels.process = 'good')),
        /goods: spec\.selector\.matchLabels does not match/,
      ));
    it('a shop process with one replica', () =>
      kubeFinds(
        broken('Deployment', 'order', (body) => (body.spec.replicas = 1)),
        /order: fewer than 2 replicas/,
      ));
    it('a shop process without a liveness probe', () =>
      kubeFinds(
        broken('Deployment', 'pay-web', (body) => delete body.spec.template.spec.containers[0].livenessProbe),
        /pay-web: container pay-web has no livenessProbe/,
      ));
    it('a container without a memory limit', () =>
      kubeFinds(
        broken('StatefulSet', 'rocketmq-broker-b', (body) => delete body.spec.template.spec.containers[0].resources.limits),
        /rocketmq-broker-b: container broker lacks a CPU or memory request or a memory limit/,
      ));
    it('a shop process without a disruption budget', () =>
      kubeFinds(without(loadObjects(), 'PodDisruptionBudget', 'coupon'), /coupon: no PodDisruptionBudget/));
    it('a shop process without a Deployment', () => kubeFinds(without(loadObjects(), 'Deployment', 'user'), /shop process user: no Deployment/));
    it('an autoscaler whose Deployment is gone', () =>
      kubeFinds(
        broken('HorizontalPodAutoscaler', 'order', (body) => (body.spec.scaleTargetRef.name = 'orders')),
        /targets Deployment orders, which does not exist/,
      ));
    it('a front door without an autoscaler', () =>
      kubeFinds(without(loadObjects(), 'HorizontalPodAutoscaler', 'pay-web'), /no HorizontalPodAutoscaler for pay-web/));
    it('a Service that selects no pods', () =>
      kubeFinds(
        broken('Service', 'order-web', (body) => (body.spec.selector.process = 'orderweb')),
        /Service shop\/order-web: selects no/,
      ));
    it('a ZooKeeper ensemble of 1, or without its budget', () => {
      kubeFinds(
        broken('StatefulSet', 'zk', (body) => (body.spec.replicas = 1)),
        /ZooKeeper: not one StatefulSet of 3/,
      );
      kubeFinds(without(loadObjects(), 'PodDisruptionBudget', 'zk'), /zk: no PodDisruptionBudget of maxUnavailable 1/);
    });
    it('one broker master, or a master without its slave', () => {
      kubeFinds(without(loadObjects(), 'StatefulSet', 'rocketmq-broker-b'), /1 broker masters/);
      kubeFinds(
        broken('StatefulSet', 'rocketmq-broker-a', (body) => (body.spec.replicas = 1)),
        /rocketmq-broker-a: not a master and its slave/,
      );
    });
    it('proxies in local mode', () =>
      kubeFinds(
        broken('Deployment', 'rocketmq-proxy', (body) => (body.spec.template.spec.containers[0].command = ['sh', 'mqproxy'])),
        /not started in cluster mode/,
      ));
    it('proxies that keep a message popped for a dead consumer invisible for a minute', () =>
      kubeFinds(
        broken(
          'ConfigMap',
          'rocketmq-proxy',
          (body) => (body.data['rmq-proxy.json'] = body.data['rmq-proxy.json'].replace(/,\s*"defaultInvisibleTimeMills": \d+/, '')),
        ),
        /defaultInvisibleTimeMills is not at most 15000/,
      ));
    it('brokers whose check-back settings differ from the shop’s', () =>
      kubeFinds(
        broken(
          'ConfigMap',
          'rocketmq-broker',
          (body) => (body.data['broker.conf'] = body.data['broker.conf'].replace('transactionCheckMax=60', 'transactionCheckMax=15')),
        ),
        /RMQ_TX_CHECK_MAX=60 but the brokers' transactionCheckMax=15/,
      ));
    it('a topic missing from the topics Job', () =>
      kubeFinds(
        broken('ConfigMap', 'rocketmq-topics', (body) => (body.data['topics.conf'] = body.data['topics.conf'].replace('shop-order-timers DELAY\n', ''))),
        /differs from deploy\/topics\.conf/,
      ));
    it('the shop writing to the replica, or a replica of nothing', () => {
      kubeFinds(
        broken('Service', 'mysql', (body) => (body.spec.selector.role = 'replica')),
        /does not select the primary alone/,
      );
      kubeFinds(
        broken('ConfigMap', 'mysql', (body) => (body.data['20-replica.sh'] = body.data['20-replica.sh'].replace('mysql-0.mysql-pods', 'mysql-1.mysql-pods'))),
        /SOURCE_HOST \(mysql-1\.mysql-pods\) is not the primary's pod/,
      );
    });
    it('the shop configured for infrastructure that does not exist', () =>
      kubeFinds(
        broken('ConfigMap', 'shop-config', (body) => (body.data.ZK_CONNECT += ',zk-3.zk.shop-infra.svc:2181')),
        /ZK_CONNECT names zk-3\.zk\.shop-infra\.svc:2181/,
      ));

    it('compose: a ZooKeeper member fewer', () => {
      const compose = loadCompose();
      delete compose.services['zk-2'];
      composeFinds(compose, /2 ZooKeeper members, Kubernetes runs 3/);
    });
    it('compose: a shop process once', () => {
      const compose = loadCompose();
      compose.services.goods.deploy.replicas = 1;
      composeFinds(compose, /shop process goods runs 1 time\(s\)/);
    });
    it('compose: a broker master without its slave, or one proxy', () => {
      const compose = loadCompose();
      delete compose.services['rocketmq-broker-b-1'];
      delete compose.services['rocketmq-proxy-1'];
      composeFinds(compose, /broker broker-b has no slave/);
      composeFinds(compose, /1 proxies, Kubernetes runs 2/);
    });
    it('compose: a proxy without the bounded invisible time', () => {
      const compose = loadCompose();
      compose.services['rocketmq-proxy-1'].command = ['sh', '-c', 'exec sh mqproxy -pm cluster'];
      composeFinds(compose, /a proxy whose defaultInvisibleTimeMills is not at most 15000/);
    });
    it('compose: no MySQL replica', () => {
      const compose = loadCompose();
      delete compose.services['mysql-replica'];
      composeFinds(compose, /not one MySQL primary and one replica/);
    });
  });
});
