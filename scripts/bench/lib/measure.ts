/**
 * Closed-loop load: `concurrency` workers call `op` back to back for `durationMs`; latencies
 * of every call are kept, so percentiles are exact rather than estimated. Open-loop load
 * (`measurePaced`): calls start at a fixed rate whatever the answers, as customers arrive.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Result {
  name: string;
  concurrency: number;
  calls: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function measure(name: string, concurrency: number, durationMs: number, op: () => Promise<unknown>): Promise<Result> {
  const run = await runLoad(concurrency, durationMs, op);
  return summarize(name, concurrency, [run]);
}

/**
 * Open-loop load: one call every 1/`perSecond` s for `durationMs`, whether or not earlier calls
 * answered. A call's latency runs from when it was due, not from when it could start, so a
 * stall shows in the percentiles of every call it delayed (no coordinated omission: a
 * closed loop would simply send less while the system stalls). `concurrency` in the result is
 * the most calls in flight at once. A call due while `maxInFlight` calls are in flight is not
 * sent and counts as an error.
 */
export async function measurePaced(name: string, perSecond: number, durationMs: number, op: () => Promise<unknown>, maxInFlight = 512): Promise<Result> {
  const latencies: number[] = [];
  const intervalMs = 1_000 / perSecond;
  const due = Math.floor(durationMs / intervalMs);
  let errors = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  const started = performance.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < due; i++) {
    const dueAt = started + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight >= maxInFlight) {
      errors++;
      continue;
    }
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    calls.push(
      op()
        .then(
          () => void latencies.push(performance.now() - dueAt),
          () => void errors++,
        )
        .finally(() => inFlight--),
    );
  }
  await Promise.all(calls);
  const run = { latencies, errors, seconds: (performance.now() - started) / 1_000 };
  return { ...summarize(name, mostInFlight, [run]), perSecond: latencies.length / (durationMs / 1_000) };
}

/**
 * Compares several ways of doing the same call fairly on a small, busy machine: short rounds,
 * alternating which goes first, merged per way. A single long run per way is at the mercy of
 * drift (a JVM's GC, CPU frequency) and showed swings of 10% between identical runs.
 */
export async function compare(ways: { name: string; op: () => Promise<unknown> }[], concurrency: number, totalMs: number, rounds = 6): Promise<Result[]> {
  const runs = new Map<string, Run[]>(ways.map((w) => [w.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ways : [...ways].reverse();
    for (const way of order) runs.get(way.name)!.push(await runLoad(concurrency, totalMs / rounds, way.op));
  }
  return ways.map((w) => summarize(w.name, concurrency, runs.get(w.name)!));
}

interface Run {
  latencies: number[];
  errors: number;
  seconds: number;
}

function summarize(name: string, concurrency: number, runs: Run[]): Result {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const errors = runs.reduce((sum, r) => sum + r.errors, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { name, concurrency, calls: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function runLoad(concurrency: number, durationMs: number, op: () => Promise<unknown>): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  const started = process.hrtime.bigint();
  const end = Date.now() + durationMs;
  const worker = async () => {
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      try {
        await op();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function table(results: Result[]): string {
  const rows = results.map(
    (r) => `| ${r.name} | ${r.concurrency} | ${r.perSecond.toFixed(0)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${r.calls} | ${r.errors} |`,
  );
  return ['| client | concurrency | calls/s | p50 ms | p99 ms | calls | errors |', '|---|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

/** Writes reports/<name>.json and reports/<name>.md (git-ignored); returns the markdown path. */
export function writeReport(name: string, markdown: string, data: unknown): string {
  const dir = resolve(__dirname, '../../../reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(data, null, 2));
  writeFileSync(join(dir, `${name}.md`), markdown);
  return join(dir, `${name}.md`);
}
