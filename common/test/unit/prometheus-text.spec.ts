import assert from 'node:assert/strict';
import { parsePrometheusText, sumBy, sumOf } from '../../src/metrics';

describe('Prometheus text format (scrapes read by the benches and tests)', () => {
  const scrape = [
    '# HELP db_statements_total SQL statements sent to MySQL, by kind',
    '# TYPE db_statements_total counter',
    'db_statements_total{kind="select"} 12',
    'db_statements_total{kind="insert"} 3',
    'db_statements_total{kind="commit"} 2',
    '',
    '# TYPE rpc_client_calls_total counter',
    'rpc_client_calls_total{service="shop.goods.v1.GoodsService",method="ReduceStock",provider="127.0.0.1:1",code="OK"} 4',
    'rpc_client_calls_total{service="shop.goods.v1.GoodsService",method="ReduceStock",provider="127.0.0.1:2",code="OK"} 1',
    'rpc_client_calls_total{service="shop.user.v1.UserService",method="ReduceBalance",provider="127.0.0.1:3",code="ABORTED"} 2',
    'process_cpu_user_seconds_total 0.53125 1700000000000',
    'nodejs_eventloop_lag_seconds Nan',
    'rpc_client_latency_seconds_bucket{le="+Inf",service="s"} 7',
    'weird{a="say \\"hi\\"",b="back\\\\slash",c="line\\nbreak",} -1.5e3',
  ].join('\n');

  it('reads names, labels (escapes included), values and skips comments and timestamps', () => {
    const samples = parsePrometheusText(scrape);
    assert.equal(samples.length, 10);
    assert.deepEqual(samples[0], { name: 'db_statements_total', labels: { kind: 'select' }, value: 12 });
    assert.deepEqual(samples[6], { name: 'process_cpu_user_seconds_total', labels: {}, value: 0.53125 });
    assert.ok(Number.isNaN(samples[7]!.value), 'NaN in any case (prom-client writes Nan)');
    assert.equal(samples[8]!.labels.le, '+Inf');
    assert.deepEqual(samples[9], { name: 'weird', labels: { a: 'say "hi"', b: 'back\\slash', c: 'line\nbreak' }, value: -1500 });
  });

  it('sums a metric, over some labels or per label', () => {
    const samples = parsePrometheusText(scrape);
    assert.equal(sumOf(samples, 'db_statements_total'), 17);
    assert.equal(sumOf(samples, 'db_statements_total', { kind: 'insert' }), 3);
    assert.equal(sumOf(samples, 'rpc_client_calls_total', { service: 'shop.goods.v1.GoodsService', code: 'OK' }), 5);
    assert.equal(sumOf(samples, 'absent_total'), 0);
    assert.deepEqual(
      sumBy(samples, 'rpc_client_calls_total', (l) => `${l.service}/${l.method}`),
      new Map([
        ['shop.goods.v1.GoodsService/ReduceStock', 5],
        ['shop.user.v1.UserService/ReduceBalance', 2],
      ]),
    );
    assert.deepEqual(sumBy(samples, 'db_statements_total', 'kind').get('commit'), 2);
  });

  it('refuses a line it cannot read, saying which', () => {
    assert.throws(() => parsePrometheusText('ok 1\nbad{kind="x} 1'), /line 2 .*unterminated/);
    assert.throws(() => parsePrometheusText('{kind="x"} 1'), /line 1 .*no metric name/);
    assert.throws(() => parsePrometheusText('name{kind="x"}'), /no value/);
    assert.throws(() => parsePrometheusText('name one'), /not a number/);
  });
});
