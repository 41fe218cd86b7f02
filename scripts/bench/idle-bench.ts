/**
 * npm run bench:idle: what the whole local system (JVMs, MariaDB, ZooKeeper, the Node services and
 * front doors, the payment gateway) burns when nobody uses it: CPU per process (from /proc, as a
 * share of one core) and RSS, and the SQL statements and messages each still handles. The target
 * (issue 16): under 10% of one core and 2 GiB in all.
 *
 * It waits for earlier work's messages to be consumed, lets BENCH_SETTLE_SECONDS (default 20) go
 * by (a JVM just started is still compiling), then measures BENCH_IDLE_SECONDS (default 60) in
 * BENCH_IDLE_WINDOWS windows (default 3): the report gives every window and their median, so a
 * burst of one window (a GC, a log roll) is seen as such. Needs the system running (`npm run up`).
 */
import { loadInfraConfig } from '../../common/src/config';
import { writeReport } from './lib/measure';
import { idleTable, metricsEndpoints, phaseCost, snapshotAfter, snapshotBefore, untilQuiet } from './lib/process-metrics';

const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const WINDOWS = Number(process.env.BENCH_IDLE_WINDOWS ?? 3);
/** The targets of issue 16, for the whole system at rest. */
const TARGET_CPU_SHARE = 0.1;
const TARGET_RSS_MB = 2048;

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const infra = loadInfraConfig();
  const { endpoints, problems } = await metricsEndpoints(infra.zookeeper.connect);
  for (const problem of problems) console.warn(problem);
  const waited = await untilQuiet(endpoints);
  if (waited > 0) console.log(`waited ${waited} s for the messages of earlier work to be consumed`);
  await sleep(SETTLE_SECONDS);

  const windows: { table: string; cpuShare: number; rssMb: number }[] = [];
  for (let window = 1; window <= WINDOWS; window++) {
    const before = await snapshotBefore(endpoints);
    await sleep(IDLE_SECONDS / WINDOWS);
    const after = await snapshotAfter(endpoints);
    const cost = phaseCost(before, after, 1);
    const cpuShare = cost.rows.reduce((sum, row) => sum + row.cpuMs, 0) / cost.seconds / 1_000;
    const rssMb = cost.rows.reduce((sum, row) => sum + row.rssAfterMb, 0);
    windows.push({ table: idleTable(before, after), cpuShare, rssMb });
    console.log(`window ${window}: ${(cpuShare * 100).toFixed(1)}% of one core, ${rssMb.toFixed(0)} MB`);
  }
  const cpuShare = median(windows.map((w) => w.cpuShare));
  const rssMb = median(windows.map((w) => w.rssMb));
  const verdict = (ok: boolean) => (ok ? 'within' : 'OVER');
  const summary =
    `median of ${WINDOWS} windows of ${(IDLE_SECONDS / WINDOWS).toFixed(0)} s: ${(cpuShare * 100).toFixed(1)}% of one core ` +
    `(${verdict(cpuShare < TARGET_CPU_SHARE)} the ${TARGET_CPU_SHARE * 100}% target), ${rssMb.toFixed(0)} MB RSS (${verdict(rssMb < TARGET_RSS_MB)} ${TARGET_RSS_MB} MB)`;
  const markdown = [
    `# bench:idle (${new Date().toISOString()})`,
    '',
    `The whole local system with no load, ${SETTLE_SECONDS} s after the last message was consumed. ${summary}.`,
    '',
    ...windows.flatMap((w, index) => [`## Window ${index + 1}`, '', w.table, '']),
  ].join('\n');
  console.log(markdown);
  console.log(summary);
  console.log(`report: ${writeReport('bench-idle', markdown, { windows, cpuShare, rssMb })}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
