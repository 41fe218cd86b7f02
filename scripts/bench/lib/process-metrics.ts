/**
 * The cost of a unit of work (an order), process by process: CPU and RSS from /proc
 * (process-cpu.ts) and the processes' own counters from their Prometheus metrics, scraped before
 * and after a phase. The front doors serve /metrics on their public port; the gRPC services on
 * their admin port, which their provider URL in ZooKeeper carries as `metrics.port`.
 *
 * What is counted per unit (sums over the processes, client side where a call has two):
 *   SQL statements    db_statements_total, transaction control (begin/commit/rollback) left out
 *   SQL round trips   db_round_trips_total (a statement alone, or a one-trip transaction)
 *   transactions      db_transactions_total (commit + rollback)
 *   gRPC calls        grpc_client_handled_total (attempts, by service/method)
 *   RocketMQ sends    mq_produced_total (normal, delay, half) + mq_transaction_resolutions_total
 *   consumed          mq_consumed_total (deliveries handled, by tag)
 */
import { parsePrometheusText, sumBy, sumOf, type MetricSample } from '../../../common/src/metrics';
import { DUBBO_ROOT, parseProviderNode } from '../../../common/src/rpc';
import { ZkSession } from '../../../common/src/zk';
import { cpuPerUnit, sampleProcesses, systemProcesses, type ProcessSample } from './process-cpu';

export interface MetricsEndpoint {
  name: string;
  pid: number;
  url: string;
}

const FRONT_DOORS: Record<string, number> = {
  'order-web': Number(process.env.ORDER_WEB_PORT ?? 7001),
  'pay-web': Number(process.env.PAY_WEB_PORT ?? 7002),
};

/**
 * Where each process of the local system serves its metrics. Providers in ZooKeeper whose pid is
 * not one of the system's (var/run) are left out: a test's own process is not the system's cost.
 */
export async function metricsEndpoints(zkConnect: string): Promise<{ endpoints: MetricsEndpoint[]; problems: string[] }> {
  const system = systemProcesses();
  const nameOf = new Map(system.map((p) => [p.pid, p.name]));
  const endpoints: MetricsEndpoint[] = [];
  const problems: string[] = [];
  for (const { name, pid } of system) {
    if (FRONT_DOORS[name]) endpoints.push({ name, pid, url: `http://127.0.0.1:${FRONT_DOORS[name]}/metrics` });
  }
  const session = await ZkSession.open({ connect: zkConnect, sessionTimeoutMs: 10_000 });
  try {
    const services = await session.getChildren(DUBBO_ROOT).catch(() => [] as string[]);
    for (const service of services) {
      const nodes = await session.getChildren(`${DUBBO_ROOT}/${service}/providers`).catch(() => [] as string[]);
      for (const node of nodes) {
        const url = parseProviderNode(node, service);
        const name = url?.pid === undefined ? undefined : nameOf.get(url.pid);
        if (!url || !name || endpoints.some((e) => e.pid === url.pid)) continue;
        if (url.metricsPort === undefined) problems.push(`${name}: its provider URL has no metrics.port (built before the admin listener?)`);
        else endpoints.push({ name, pid: url.pid!, url: `http://${url.host}:${url.metricsPort}/metrics` });
      }
    }
  } finally {
    session.close();
  }
  return { endpoints, problems };
}

/** Every endpoint's samples by process name; one that does not answer is left out (and said). */
export async function scrapeAll(endpoints: MetricsEndpoint[]): Promise<Map<string, MetricSample[]>> {
  const scraped = new Map<string, MetricSample[]>();
  await Promise.all(
    endpoints.map(async ({ name, url }) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        scraped.set(name, parsePrometheusText(await response.text()));
      } catch (error) {
        console.warn(`metrics of ${name} (${url}) not read: ${(error as Error).message}`);
      }
    }),
  );
  return scraped;
}

export interface Snapshot {
  cpu: ProcessSample[];
  metrics: Map<string, MetricSample[]>;
}

/** Metrics first, then /proc: the scrape's own CPU stays out of the window that follows. */
export async function snapshotBefore(endpoints: MetricsEndpoint[]): Promise<Snapshot> {
  const metrics = await scrapeAll(endpoints);
  return { metrics, cpu: sampleProcesses() };
}

/** /proc first, then metrics: the scrape's own CPU stays out of the window that ends. */
export async function snapshotAfter(endpoints: MetricsEndpoint[]): Promise<Snapshot> {
  const cpu = sampleProcesses();
  return { cpu, metrics: await scrapeAll(endpoints) };
}

const seriesKey = (sample: MetricSample) => `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;

/**
 * What each series grew by between two scrapes of one process. A series absent before counts
 * from 0; one that went down (the process restarted in between) counts from 0 again.
 */
export function deltaSamples(before: readonly MetricSample[], after: readonly MetricSample[]): MetricSample[] {
  const was = new Map(before.map((sample) => [seriesKey(sample), sample.value]));
  return after.map((sample) => {
    const then = was.get(seriesKey(sample)) ?? 0;
    return { ...sample, value: sample.value >= then ? sample.value - then : sample.value };
  });
}

/** The counters of one process (or of all) over a phase, per unit of work. */
export interface Counts {
  sql: number;
  /** Round trips to MySQL: what a statement costs, not what it does (common/src/db/one-trip.ts). */
  trips: number;
  transactions: number;
  grpc: number;
  mqSends: number;
  consumed: number;
}

const TRANSACTION_CONTROL = new Set(['begin', 'commit', 'rollback']);

export function countsOf(delta: readonly MetricSample[], units: number): Counts {
  const per = (n: number) => (units > 0 ? n / units : NaN);
  const sql = delta.filter((s) => s.name === 'db_statements_total' && !TRANSACTION_CONTROL.has(s.labels.kind ?? '')).reduce((sum, s) => sum + s.value, 0);
  return {
    sql: per(sql),
    trips: per(sumOf(delta, 'db_round_trips_total')),
    transactions: per(sumOf(delta, 'db_transactions_total')),
    grpc: per(sumOf(delta, 'grpc_client_handled_total')),
    mqSends: per(sumOf(delta, 'mq_produced_total') + sumOf(delta, 'mq_transaction_resolutions_total')),
    consumed: per(sumOf(delta, 'mq_consumed_total')),
  };
}

export interface CostRow {
  name: string;
  /** CPU ms per unit, what the process burns at rest taken off (when the idle window is given). */
  cpuMs: number;
  rssBeforeMb: number | undefined;
  rssAfterMb: number;
  /** Undefined for a process without metrics (the JVMs, MariaDB). */
  counts: Counts | undefined;
}

export interface PhaseCost {
  units: number;
  seconds: number;
  rows: CostRow[];
  total: Counts;
  /** Per unit, summed over the processes, largest first. */
  grpcByMethod: [string, number][];
  sqlByKind: [string, number][];
  mqByKind: [string, number][];
  consumedByTag: [string, number][];
}

const perUnit = (sums: Map<string, number>, units: number): [string, number][] =>
  [...sums]
    .filter(([, n]) => n > 0)
    .map(([key, n]): [string, number] => [key, n / units])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

function merge(into: Map<string, number>, from: Map<string, number>): void {
  for (const [key, n] of from) into.set(key, (into.get(key) ?? 0) + n);
}

/** The cost of `units` units of work done between two snapshots. */
export function phaseCost(before: Snapshot, after: Snapshot, units: number, idle?: { before: Snapshot; after: Snapshot }): PhaseCost {
  const cpu = cpuPerUnit(before.cpu, after.cpu, units, idle && { before: idle.before.cpu, after: idle.after.cpu });
  const deltas = new Map<string, MetricSample[]>();
  for (const [name, samples] of after.metrics) deltas.set(name, deltaSamples(before.metrics.get(name) ?? [], samples));
  const rows = cpu.map((row): CostRow => ({
    name: row.name,
    cpuMs: row.msPerUnit,
    rssBeforeMb: before.cpu.find((s) => s.name === row.name)?.rssMb,
    rssAfterMb: row.rssMb,
    counts: deltas.has(row.name) ? countsOf(deltas.get(row.name)!, units) : undefined,
  }));
  const all = [...deltas.values()].flat();
  const grpc = new Map<string, number>();
  const sql = new Map<string, number>();
  const mq = new Map<string, number>();
  const consumed = new Map<string, number>();
  merge(
    grpc,
    sumBy(all, 'grpc_client_handled_total', (l) => `${l.grpc_service}/${l.grpc_method}`),
  );
  merge(sql, sumBy(all, 'db_statements_total', 'kind'));
  merge(
    mq,
    sumBy(all, 'mq_produced_total', (l) => `${l.kind} ${l.tag}`),
  );
  merge(
    mq,
    sumBy(all, 'mq_transaction_resolutions_total', (l) => `${l.resolution} ${l.tag}`),
  );
  merge(
    consumed,
    sumBy(all, 'mq_consumed_total', (l) => `${l.tag} (${l.group})`),
  );
  const seconds = (Math.min(...after.cpu.map((s) => s.at)) - Math.min(...before.cpu.map((s) => s.at))) / 1000;
  return {
    units,
    seconds,
    rows,
    total: countsOf(all, units),
    grpcByMethod: perUnit(grpc, units),
    sqlByKind: perUnit(sql, units),
    mqByKind: perUnit(mq, units),
    consumedByTag: perUnit(consumed, units),
  };
}

const fixed = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
const list = (entries: [string, number][]) => (entries.length === 0 ? 'none' : entries.map(([key, n]) => `${key} ${n.toFixed(2)}`).join(', '));

/** The cost table of a phase, in markdown, with the per-unit breakdowns under it. */
export function costTable(cost: PhaseCost, unit: string): string {
  const counts = (c: Counts | undefined) =>
    c
      ? `${fixed(c.sql)} | ${fixed(c.trips)} | ${fixed(c.transactions)} | ${fixed(c.grpc)} | ${fixed(c.mqSends)} | ${fixed(c.consumed)}`
      : '– | – | – | – | – | –';
  const cpuTotal = cost.rows.reduce((sum, row) => sum + row.cpuMs, 0);
  return [
    `| process | CPU ms/${unit} | RSS MB before → after | SQL/${unit} | SQL trips/${unit} | tx/${unit} | gRPC calls/${unit} | MQ sends/${unit} | MQ consumed/${unit} |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...cost.rows.map((row) => `| ${row.name} | ${fixed(row.cpuMs)} | ${fixed(row.rssBeforeMb, 0)} → ${fixed(row.rssAfterMb, 0)} | ${counts(row.counts)} |`),
    `| **all** | **${fixed(cpuTotal)}** | | ${counts(cost.total)} |`,
    '',
    `Per ${unit}: gRPC calls by method: ${list(cost.grpcByMethod)}.`,
    `SQL statements by kind: ${list(cost.sqlByKind)}.`,
    `RocketMQ sends: ${list(cost.mqByKind)}; consumed: ${list(cost.consumedByTag)}.`,
  ].join('\n');
}

/** What each process burns doing nothing: CPU per second (and as a share of one core), RSS, and the statements and messages it still handles. */
export function idleTable(before: Snapshot, after: Snapshot): string {
  const cost = phaseCost(before, after, 1);
  const seconds = cost.seconds;
  const rows = cost.rows.map((row) => {
    const ms = row.cpuMs / seconds;
    const c = row.counts;
    return `| ${row.name} | ${ms.toFixed(1)} | ${(ms / 10).toFixed(1)}% | ${fixed(row.rssAfterMb, 0)} | ${c ? (c.sql / seconds).toFixed(1) : '–'} | ${c ? ((c.mqSends + c.consumed) / seconds).toFixed(1) : '–'} |`;
  });
  const cpuTotal = cost.rows.reduce((sum, row) => sum + row.cpuMs, 0) / seconds;
  const rssTotal = cost.rows.reduce((sum, row) => sum + row.rssAfterMb, 0);
  return [
    '| process | CPU ms/s | of one core | RSS MB | SQL/s | MQ sends + consumed/s |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    `| **all** | **${cpuTotal.toFixed(1)}** | **${(cpuTotal / 10).toFixed(1)}%** | **${rssTotal.toFixed(0)}** | | |`,
  ].join('\n');
}

/**
 * Waits (at most a minute) until two seconds go by with no RocketMQ message sent or consumed
 * anywhere; returns the seconds waited. (The pay deadline timers of an earlier run's orders still
 * fire when they were cancelled: the order service reads each and acknowledges it.)
 */
export async function untilQuiet(endpoints: MetricsEndpoint[]): Promise<number> {
  const started = Date.now();
  for (;;) {
    const before = await snapshotBefore(endpoints);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const busy = phaseCost(before, await snapshotAfter(endpoints), 1).rows.some((row) => row.counts && row.counts.mqSends + row.counts.consumed > 0);
    const waited = Math.round((Date.now() - started) / 1_000) - 2;
    if (!busy || waited >= 60) return waited;
  }
}
