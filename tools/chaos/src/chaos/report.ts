/** The run's report: reports/chaos-<seed>.md, and a summary on the console. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NO_ANSWER, type Attempt } from './client';
import type { ChaosConfig } from './config';
import { faultKindsFor, type FaultRecord } from './faults';
import type { InvariantResult } from './invariants';
import type { Outcomes } from './scenarios';

export interface RunSummary {
  config: ChaosConfig;
  startedAt: number;
  loadEndedAt: number;
  outcomes: Outcomes;
  faults: FaultRecord[];
  attempts: Attempt[];
  settle: { settled: boolean; settledInMs: number; open: string[] };
  invariants: InvariantResult[];
}

const share = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

/** Requests answered (2xx/4xx) against those failed (5xx or no answer) within a time window. */
function availability(attempts: Attempt[], from: number, to: number): { total: number; answered: number; failed: number } {
  const inside = attempts.filter((attempt) => attempt.at >= from && attempt.at <= to && attempt.route !== 'chaos control');
  const failed = inside.filter((attempt) => attempt.status === NO_ANSWER || attempt.status >= 500).length;
  return { total: inside.length, answered: inside.length - failed, failed };
}

export function violationsOf(summary: RunSummary): number {
  return summary.invariants.reduce((total, result) => total + result.violations.length, 0);
}

export function writeReport(summary: RunSummary): string {
  const { config, outcomes, faults, attempts, settle, invariants } = summary;
  const t = (at: number) => `+${((at - summary.startedAt) / 1000).toFixed(1)} s`;
  const lines: string[] = [];
  lines.push(`# Chaos run, seed ${config.seed}`, '');
  lines.push(
    `Replay: \`CHAOS_SEED=${config.seed} CHAOS_SECONDS=${config.seconds} CHAOS_CONCURRENCY=${config.concurrency}${config.plant ? ` CHAOS_PLANT=${config.plant}` : ''} npm run chaos\``,
    '',
  );
  lines.push(
    `- load: ${config.seconds} s at concurrency ${config.concurrency}; ${outcomes.ordersPlaced} orders placed (answered HTTP 201, their reservations taken; refused placements not counted); ${attempts.length} HTTP requests`,
  );
  lines.push(`- planted defect: ${config.plant || 'none'}`);
  lines.push(
    `- settled: ${settle.settled ? `yes, ${(settle.settledInMs / 1000).toFixed(1)} s after the load` : `NO, still in flight after ${(settle.settledInMs / 1000).toFixed(0)} s: ${settle.open.join(', ')}`}`,
  );
  lines.push(`- invariant violations: **${violationsOf(summary)}**`, '');

  lines.push('## Invariants', '', '| invariant | checked | result |', '|---|---:|---|');
  for (const result of invariants)
    lines.push(`| ${result.name} | ${result.checked} | ${result.violations.length === 0 ? 'ok' : `**${result.violations.length} violations**`} |`);
  for (const result of invariants.filter((r) => r.violations.length > 0)) {
    lines.push('', `### ${result.name}`, '', ...result.violations.slice(0, 50).map((violation) => `- ${violation}`));
    if (result.violations.length > 50) lines.push(`- ... and ${result.violations.length - 50} more`);
  }

  const whole = availability(attempts, summary.startedAt, summary.loadEndedAt);
  lines.push(
    '',
    '## Faults',
    '',
    `Every kind at least once: ${faultKindsFor(summary.config.topology).every((kind) => faults.some((fault) => fault.kind === kind)) ? 'yes' : 'NO'}. Availability outside any fault window and in each: requests answered 2xx/4xx vs 5xx or no answer.`,
    '',
  );
  lines.push('| at | until | fault | target | what happened | requests | answered | 5xx / none |', '|---|---|---|---|---|---:|---:|---:|');
  for (const fault of [...faults].sort((a, b) => a.startedAt - b.startedAt)) {
    const window = availability(attempts, fault.startedAt, fault.endedAt);
    lines.push(
      `| ${t(fault.startedAt)} | ${t(fault.endedAt)} | ${fault.kind} | ${fault.target} | ${fault.note} | ${window.total} | ${share(window.answered, window.total)} | ${window.failed} |`,
    );
  }
  lines.push(`| whole load | | | | | ${whole.total} | ${share(whole.answered, whole.total)} | ${whole.failed} |`);

  lines.push('', '## Operations by outcome', '', '| operation | outcome | count |', '|---|---|---:|');
  for (const [operation, byOutcome] of [...outcomes.counts].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [outcome, count] of [...byOutcome].sort(([, a], [, b]) => b - a)) lines.push(`| ${operation} | ${outcome} | ${count} |`);
  }
  mkdirSync(config.reportDir, { recursive: true });
  const file = path.join(config.reportDir, `chaos-${config.seed}${config.plant ? `-${config.plant}` : ''}.md`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
