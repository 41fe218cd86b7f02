import assert from 'node:assert/strict';
import { parsePrometheusText } from '../../../common/src/metrics';
import { costTable, countsOf, deltaSamples, idleTable, phaseCost, type Snapshot } from '../lib/process-metrics';

const scrape = (...lines: string[]) => parsePrometheusText(lines.join('\n'));
const cpu = (name: string, at: number, cpuMs: number, rssMb: number) => ({ name, pid: name.length, at, cpuMs, rssMb });

describe('bench cost tables (scrapes and /proc samples before and after a phase)', () => {
  it('take what each series grew by; a new series counts from 0, a restarted process from 0 again', () => {
    const before = scrape('a_total{k="x"} 5', 'a_total{k="y"} 10', 'gone_total 3');
    const after = scrape('a_total{k="x"} 8', 'a_total{k="y"} 2', 'a_total{k="z"} 4');
    assert.deepEqual(
      deltaSamples(before, after).map((s) => [s.labels.k, s.value]),
      [
        ['x', 3],
        ['y', 2],
        ['z', 4],
      ],
    );
  });

  it('count per unit: statements without transaction control, transactions, client calls, sends and deliveries', () => {
    const delta = scrape(
      'db_statements_total{kind="select"} 40',
      'db_statements_total{kind="insert"} 20',
      'db_statements_total{kind="begin"} 10',
      'db_statements_total{kind="commit"} 9',
      'db_statements_total{kind="rollback"} 1',
      'db_transactions_total{outcome="commit"} 9',
      'db_transactions_total{outcome="rollback"} 1',
      'db_round_trips_total 45',
      'grpc_client_handled_total{grpc_type="unary",grpc_service="s",grpc_method="A",grpc_code="OK"} 30',
      'grpc_server_handled_total{grpc_type="unary",grpc_service="s",grpc_method="A",grpc_code="OK"} 30',
      'mq_produced_total{topic="t",tag="x",kind="half",outcome="ok"} 10',
      'mq_transaction_resolutions_total{topic="t",tag="x",resolution="rollback",outcome="ok"} 10',
      'mq_consumed_total{group="g",topic="t",tag="y",outcome="ok"} 5',
    );
    assert.deepEqual(countsOf(delta, 10), { sql: 6, trips: 4.5, transactions: 1, grpc: 3, mqSends: 2, consumed: 0.5 });
    assert.ok(Number.isNaN(countsOf(delta, 0).sql), 'nothing per nothing');
  });

  it('make one row per process, the JVMs without counters, and sum the counters per method, kind and tag', () => {
    const before: Snapshot = {
      cpu: [cpu('order', 0, 1_000, 100), cpu('proxy', 0, 5_000, 900)],
      metrics: new Map([
        ['order', scrape('grpc_client_handled_total{grpc_type="unary",grpc_service="shop.goods.v1.GoodsService",grpc_method="ReduceStock",grpc_code="OK"} 1')],
      ]),
    };
    const after: Snapshot = {
      cpu: [cpu('order', 10_000, 1_400, 110), cpu('proxy', 10_000, 5_600, 950)],
      metrics: new Map([
        [
          'order',
          scrape(
            'grpc_client_handled_total{grpc_type="unary",grpc_service="shop.goods.v1.GoodsService",grpc_method="ReduceStock",grpc_code="OK"} 101',
            'db_statements_total{kind="update"} 200',
            'db_round_trips_total 150',
            'mq_produced_total{topic="t",tag="order.cancel",kind="half",outcome="ok"} 100',
          ),
        ],
      ]),
    };
    const idle = {
      before: { cpu: [cpu('order', 0, 0, 100), cpu('proxy', 0, 0, 900)], metrics: new Map() },
      after: { cpu: [cpu('order', 10_000, 100, 100), cpu('proxy', 10_000, 200, 900)], metrics: new Map() },
    };
    const cost = phaseCost(before, after, 100, idle);
    assert.deepEqual(
      cost.rows.map((r) => [r.name, r.cpuMs, r.rssBeforeMb, r.rssAfterMb, r.counts?.grpc]),
      [
        ['proxy', 4, 900, 950, undefined],
        ['order', 3, 100, 110, 1],
      ],
      'CPU per order with the rest taken off: (600 - 200) / 100 and (400 - 100) / 100',
    );
    assert.deepEqual(cost.grpcByMethod, [['shop.goods.v1.GoodsService/ReduceStock', 1]]);
    assert.deepEqual(cost.sqlByKind, [['update', 2]]);
    assert.deepEqual(cost.mqByKind, [['half order.cancel', 1]]);
    assert.equal(cost.seconds, 10);
    const table = costTable(cost, 'order');
    assert.match(table, /\| order \| 3\.00 \| 100 → 110 \| 2\.00 \| 1\.50 \| 0\.00 \| 1\.00 \| 1\.00 \| 0\.00 \|/);
    assert.match(table, /\| proxy \| 4\.00 \| 900 → 950 \| – \| – \| – \| – \| – \| – \|/);
    assert.match(table, /\| \*\*all\*\* \| \*\*7\.00\*\* \|/);
    assert.match(idleTable(idle.before, idle.after), /\| proxy \| 20\.0 \| 2\.0% \| 900 \| – \| – \|/);
  });
});
