/**
 * deploy/observability without Prometheus or Grafana at hand (promtool is not available): the
 * scrape config, the alert rules and the dashboard parse, have the shape their tools read, and
 * ask only for metrics some process of the shop defines; the file_sd targets come from the
 * provider URLs as ZooKeeper holds them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { providerNode } from '../../../common/src/rpc';
import { fileSd, frontDoorTargets, serviceTargets } from '../lib/scrape-targets';

const ROOT = resolve(__dirname, '../../..');
const OBSERVABILITY = join(ROOT, 'deploy/observability');

// The files are YAML and JSON of many shapes; the checks read them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'test') return [];
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every metric name the processes' sources define or that prom-client's process metrics add. */
const definedNames = (() => {
  const text = ['common/src', 'services', 'web']
    .flatMap((dir) => sourceFiles(join(ROOT, dir)))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  return (name: string) => {
    const base = name.replace(/_(bucket|count|sum)$/, '');
    if (/^(process|nodejs)_/.test(base) || base === 'up') return true;
    // Written out in full, or by the gRPC metrics' template (grpc_${kind}_started_total).
    return (
      text.includes(`'${base}'`) ||
      text.includes(`"${base}"`) ||
      (/^grpc_(server|client)_/.test(base) && text.includes(`grpc_\${kind}_${base.split('_').slice(2).join('_')}`))
    );
  };
})();

const FUNCTIONS = new Set([
  'sum',
  'max',
  'min',
  'rate',
  'increase',
  'histogram_quantile',
  'by',
  'without',
  'on',
  'and',
  'or',
  'unless',
  'label_values',
  'avg',
  'count',
]);

/** The metric names a PromQL expression reads (identifiers followed by { or [ or standing alone, label names and functions left out). */
function metricNames(expr: string): string[] {
  const withoutMatchers = expr.replace(/\{[^}]*\}/g, '{}').replace(/\([^()]*\)\s*\(/g, '(');
  const names = withoutMatchers.match(/[a-z_][a-z0-9_]*(?=\s*(\{|\[|\)|$|\s*[<>=!]))/g) ?? [];
  return [...new Set(names.filter((name) => !FUNCTIONS.has(name) && /_/.test(name) && !/^(le|grpc_code|status_code|grpc_method|grpc_service)$/.test(name)))];
}

describe('deploy/observability', () => {
  const prometheus: Json = parse(readFileSync(join(OBSERVABILITY, 'prometheus.yml'), 'utf8'));
  const alerts: Json = parse(readFileSync(join(OBSERVABILITY, 'alerts.yml'), 'utf8'));
  const dashboard: Json = JSON.parse(readFileSync(join(OBSERVABILITY, 'grafana-dashboard.json'), 'utf8'));

  it('prometheus.yml scrapes the file_sd targets the script writes and loads the alert rules', () => {
    const [job] = prometheus.scrape_configs;
    assert.equal(job.job_name, 'shop');
    assert.equal(job.metrics_path, '/metrics');
    assert.deepEqual(job.file_sd_configs[0].files, ['targets/*.json']);
    for (const file of prometheus.rule_files) assert.ok(statSync(join(OBSERVABILITY, file)).isFile(), `${file} exists`);
  });

  it('the alert rules are well formed, cover what the issue names, and read only metrics the shop serves', () => {
    const rules: Json[] = alerts.groups.flatMap((group: Json) => group.rules);
    for (const rule of rules) {
      assert.match(rule.alert, /^[A-Z][A-Za-z]+$/, JSON.stringify(rule));
      assert.equal(typeof rule.expr, 'string');
      assert.ok(['warning', 'critical'].includes(rule.labels?.severity), `${rule.alert} has a severity`);
      assert.ok(rule.annotations?.summary, `${rule.alert} has a summary`);
      if (rule.for !== undefined) assert.match(rule.for, /^\d+[smh]$/);
      for (const name of metricNames(rule.expr)) assert.ok(definedNames(name), `${rule.alert} reads ${name}, which no process defines`);
    }
    const exprOf = (alert: string) => rules.find((rule) => rule.alert === alert)?.expr ?? '';
    assert.match(exprOf('OutboxNotDraining'), /mq_outbox_oldest_unsent_age_seconds/);
    assert.match(exprOf('RefundsUnfinished'), /shop_refund_oldest_unfinished_age_seconds/);
    assert.match(exprOf('PlacementsUnresolved'), /mq_transaction_checks_total.*unknown/);
    assert.match(exprOf('ConsumerLagging'), /mq_consume_lag_seconds_bucket/);
    assert.match(exprOf('HttpErrorRate'), /status_code=~"5\.\."/);
    assert.match(exprOf('GrpcErrorRate'), /grpc_server_handled_total/);
    assert.equal(new Set(rules.map((rule) => rule.alert)).size, rules.length, 'alert names are unique');
  });

  it('the dashboard is an importable Grafana dashboard whose every query reads metrics the shop serves', () => {
    assert.equal(dashboard.uid, 'shop-overview');
    assert.equal(dashboard.__inputs[0].name, 'DS_PROMETHEUS');
    const graphs: Json[] = dashboard.panels.filter((panel: Json) => panel.type !== 'row');
    assert.equal(new Set(dashboard.panels.map((panel: Json) => panel.id)).size, dashboard.panels.length, 'panel ids are unique');
    for (const panel of graphs) {
      assert.ok(panel.gridPos.w > 0 && panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the grid`);
      assert.ok(panel.targets.length > 0, `${panel.title} has queries`);
      for (const target of panel.targets)
        for (const name of metricNames(target.expr)) assert.ok(definedNames(name), `"${panel.title}" reads ${name}, which no process defines`);
    }
    const rows = dashboard.panels.filter((panel: Json) => panel.type === 'row').map((panel: Json) => panel.title);
    assert.deepEqual(rows, ['Requests', 'Errors', 'Latency', 'Orders, payments, refunds', 'RocketMQ: outbox, lag, messages', 'Processes']);
  });

  it('the checks above would catch a metric that does not exist', () => {
    assert.deepEqual(metricNames('sum by (application) (rate(shop_made_up_total{x="1"}[5m])) > 0'), ['shop_made_up_total']);
    assert.ok(!definedNames('shop_made_up_total'));
    assert.ok(definedNames('grpc_server_handling_seconds_bucket') && definedNames('mq_outbox_unsent_messages'));
  });
});

describe('scrape targets (file_sd) from ZooKeeper and the front doors', () => {
  const node = (service: string, application: string, port: number, metricsPort: number | undefined, pid: number) =>
    providerNode({
      host: '10.0.0.5',
      port,
      service,
      application,
      methods: ['Get'],
      weight: 100,
      timestamp: 1,
      pid,
      ...(metricsPort !== undefined && { metricsPort }),
    });

  it('lists each process once at its admin port, labelled by application, and names providers without metrics.port', async () => {
    const tree: Record<string, string[]> = {
      '/dubbo': ['shop.goods.v1.GoodsService', 'shop.goods.v1.GoodsAdminService', 'shop.user.v1.UserService'],
      '/dubbo/shop.goods.v1.GoodsService/providers': [node('shop.goods.v1.GoodsService', 'goods', 4000, 4100, 11)],
      '/dubbo/shop.goods.v1.GoodsAdminService/providers': [node('shop.goods.v1.GoodsAdminService', 'goods', 4000, 4100, 11)],
      '/dubbo/shop.user.v1.UserService/providers': [
        node('shop.user.v1.UserService', 'user', 5000, 5100, 12),
        node('shop.user.v1.UserService', 'user', 5001, undefined, 13),
      ],
    };
    const session = { getChildren: async (path: string) => tree[path] ?? Promise.reject(new Error(`no node ${path}`)) };
    const { targets, missing } = await serviceTargets(session);
    assert.deepEqual(targets, [
      { address: '10.0.0.5:4100', application: 'goods', pid: 11 },
      { address: '10.0.0.5:5100', application: 'user', pid: 12 },
    ]);
    assert.equal(missing.length, 1);
    assert.match(missing[0]!, /user 10\.0\.0\.5:5001/);
  });

  it('reads the front doors as name=host:port pairs and refuses anything else', () => {
    assert.deepEqual(frontDoorTargets('order-web=127.0.0.1:7101, pay-web=127.0.0.1:7102'), [
      { application: 'order-web', address: '127.0.0.1:7101' },
      { application: 'pay-web', address: '127.0.0.1:7102' },
    ]);
    assert.deepEqual(frontDoorTargets(''), []);
    assert.throws(() => frontDoorTargets('order-web=127.0.0.1'), /not name=host:port/);
  });

  it('writes one group per target with its labels, as file_sd reads them', () => {
    assert.deepEqual(
      fileSd([
        { address: '10.0.0.5:4100', application: 'goods', pid: 11 },
        { address: '127.0.0.1:7101', application: 'order-web' },
      ]),
      [
        { targets: ['10.0.0.5:4100'], labels: { application: 'goods', pid: '11' } },
        { targets: ['127.0.0.1:7101'], labels: { application: 'order-web' } },
      ],
    );
  });
});
