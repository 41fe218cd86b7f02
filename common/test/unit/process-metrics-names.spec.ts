/**
 * The metrics every process serves, under the names operators' dashboards and alerts expect
 * (deploy/observability): gRPC as go-grpc-prometheus names them, HTTP durations by route
 * template, consumer lag and pending messages, the outbox backlog, sweeper runs, counts after
 * commit and gauges read at scrape time. In one process with nothing running: the counters are
 * driven directly and read back from the default registry as Prometheus would.
 */
import assert from 'node:assert/strict';
import { register } from 'prom-client';
import { createHttpApp, addRoutes } from '../../src/http';
import { createLogger } from '../../src/log';
import { hotCounter, incAfterCommit, parsePrometheusText, scrapeGauge, sumOf, type MetricSample } from '../../src/metrics';
import { consumerMetrics, recordOutboxBacklog } from '../../src/mq/mq-metrics';
import { goCodeName, recordClientCall, recordClientStart, recordServerCall, recordServerStart } from '../../src/rpc/rpc-metrics';
import { measuredRun } from '../../src/service/sweeper-metrics';

const scrape = async (): Promise<MetricSample[]> => parsePrometheusText(await register.metrics());
const logger = createLogger('metrics-names-test', 'silent');

describe('process metrics: names, labels and what moves them', () => {
  it('gRPC: started, handled by Go code name, and handling seconds, server and client side', async () => {
    const method = { grpc_type: 'unary', grpc_service: 'test.v1.Metered', grpc_method: 'Call' };
    const before = await scrape();
    recordServerStart('test.v1.Metered', 'Call');
    recordServerCall('test.v1.Metered', 'Call', 'OK', 0.002);
    recordServerStart('test.v1.Metered', 'Call');
    recordServerCall('test.v1.Metered', 'Call', 'FAILED_PRECONDITION', 0.004);
    recordClientStart('test.v1.Metered', 'Call');
    recordClientCall('test.v1.Metered', 'Call', 'UNAVAILABLE', 0.5);
    const after = await scrape();
    const grew = (name: string, labels: Record<string, string>) => sumOf(after, name, labels) - sumOf(before, name, labels);
    assert.equal(grew('grpc_server_started_total', method), 2);
    assert.equal(grew('grpc_server_handled_total', { ...method, grpc_code: 'OK' }), 1);
    assert.equal(grew('grpc_server_handled_total', { ...method, grpc_code: 'FailedPrecondition' }), 1);
    assert.equal(grew('grpc_server_handling_seconds_count', method), 2);
    assert.equal(grew('grpc_server_handling_seconds_bucket', { ...method, le: '0.0025' }), 1, 'the 2 ms call under 2.5 ms, the 4 ms one not');
    assert.equal(grew('grpc_client_started_total', method), 1);
    assert.equal(grew('grpc_client_handled_total', { ...method, grpc_code: 'Unavailable' }), 1);
    assert.equal(grew('grpc_client_handling_seconds_sum', method), 0.5);
  });

  it("gRPC codes are spelled as Go's codes.Code.String()", () => {
    assert.deepEqual(
      [
        'OK',
        'CANCELLED',
        'INVALID_ARGUMENT',
        'DEADLINE_EXCEEDED',
        'NOT_FOUND',
        'PERMISSION_DENIED',
        'RESOURCE_EXHAUSTED',
        'UNAVAILABLE',
        'UNAUTHENTICATED',
      ].map(goCodeName),
      ['OK', 'Canceled', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'PermissionDenied', 'ResourceExhausted', 'Unavailable', 'Unauthenticated'],
    );
  });

  it('HTTP: request durations by route template, method and status; a request no route takes is "unmatched"', async () => {
    const app = createHttpApp({ logger });
    addRoutes(app, (api) => api.get('/api/v1/things/:thingId', async () => ({ ok: true })));
    const before = await scrape();
    for (const id of ['1', '2', '3']) assert.equal((await app.inject({ method: 'GET', url: `/api/v1/things/${id}` })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/nothing-here' })).statusCode, 404);
    const after = await scrape();
    const grew = (labels: Record<string, string>) =>
      sumOf(after, 'http_server_request_duration_seconds_count', labels) - sumOf(before, 'http_server_request_duration_seconds_count', labels);
    assert.equal(grew({ method: 'GET', route: '/api/v1/things/:thingId', status_code: '200' }), 3, 'one series for every id');
    assert.equal(grew({ method: 'GET', route: 'unmatched', status_code: '404' }), 1);
    assert.ok(!after.some((s) => s.labels.route?.includes('/things/1')), 'never the URL as sent');
    await app.close();
  });

  it("consumer lag: from a message's due time to its first delivery; pending until finished", async () => {
    const group = 'test-lag-group';
    const metrics = consumerMetrics(group);
    const labels = { group, topic: 'test-topic' };
    const before = await scrape();
    metrics.received({ topic: 'test-topic', bornTimestamp: new Date(Date.now() - 2_000), deliveryAttempt: 1 });
    metrics.received({ topic: 'test-topic', bornTimestamp: new Date(Date.now() - 60_000), deliveryTimestamp: new Date(Date.now() - 100) });
    metrics.received({ topic: 'test-topic', bornTimestamp: new Date(Date.now() - 600_000), deliveryAttempt: 3 });
    const during = await scrape();
    assert.equal(sumOf(during, 'mq_consumer_pending_messages', { group }), 3, 'three handed over, none finished');
    assert.equal(sumOf(during, 'mq_consume_lag_seconds_count', labels) - sumOf(before, 'mq_consume_lag_seconds_count', labels), 2, 'the redelivery left out');
    const sum = sumOf(during, 'mq_consume_lag_seconds_sum', labels) - sumOf(before, 'mq_consume_lag_seconds_sum', labels);
    assert.ok(sum >= 2.1 && sum < 3, `a timer message counts from its delivery time, not its birth (lags summed: ${sum})`);
    for (let i = 0; i < 3; i++) metrics.finished();
    assert.equal(sumOf(await scrape(), 'mq_consumer_pending_messages', { group }), 0);
  });

  it("outbox: the relay's backlog, its oldest row's age growing at every scrape", async () => {
    recordOutboxBacklog(7, new Date(Date.now() - 30_000));
    const first = await scrape();
    assert.equal(sumOf(first, 'mq_outbox_unsent_messages'), 7);
    const age = sumOf(first, 'mq_outbox_oldest_unsent_age_seconds');
    assert.ok(age >= 30 && age < 31, `age ${age}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(sumOf(await scrape(), 'mq_outbox_oldest_unsent_age_seconds') > age, 'a stuck relay still shows its backlog ageing');
    recordOutboxBacklog(0, undefined);
    const drained = await scrape();
    assert.equal(sumOf(drained, 'mq_outbox_unsent_messages'), 0);
    assert.equal(sumOf(drained, 'mq_outbox_oldest_unsent_age_seconds'), 0);
  });

  it('sweepers: runs by outcome, durations, and the last success', async () => {
    const run = measuredRun('test sweep');
    const task = { task: 'test sweep' };
    await run(async () => undefined);
    await assert.rejects(
      run(async () => {
        throw new Error('down');
      }),
      /down/,
    );
    const samples = await scrape();
    assert.equal(sumOf(samples, 'sweeper_runs_total', { ...task, outcome: 'ok' }), 1);
    assert.equal(sumOf(samples, 'sweeper_runs_total', { ...task, outcome: 'error' }), 1);
    assert.equal(sumOf(samples, 'sweeper_run_duration_seconds_count', task), 2);
    const last = sumOf(samples, 'sweeper_last_success_timestamp_seconds', task);
    assert.ok(Math.abs(last - Date.now() / 1000) < 5, `last success ${last}`);
  });

  it('business counters count a change when its transaction commits, never one rolled back', () => {
    const slot = hotCounter('test_after_commit_total', 'a test counter', []).slot();
    const hooks: (() => void)[] = [];
    const transaction = { afterCommit: (hook: () => void) => hooks.push(hook) };
    incAfterCommit(transaction, slot);
    assert.equal(slot.value, 0, 'not before the commit');
    for (const hook of hooks) hook();
    assert.equal(slot.value, 1);
    incAfterCommit(undefined, slot);
    assert.equal(slot.value, 2, 'autocommit: at once');
  });

  it('scrape gauges are read at each scrape, and NaN when the read fails', async () => {
    let rows = 3;
    let failing = false;
    scrapeGauge('test_scrape_gauge', 'a test gauge', async () => {
      if (failing) throw new Error('MySQL is down');
      return rows;
    });
    assert.equal(sumOf(await scrape(), 'test_scrape_gauge'), 3);
    rows = 5;
    assert.equal(sumOf(await scrape(), 'test_scrape_gauge'), 5);
    failing = true;
    assert.ok(Number.isNaN(sumOf(await scrape(), 'test_scrape_gauge')), 'no number rather than a false one');
  });
});
