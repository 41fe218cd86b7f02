/**
 * What a fuzz run found, counted as it goes: answers by route and status, how many requests
 * carried a valid token and reached a handler, 5xx, state changes and the other findings, each
 * with the request and the answer to replay it. Written as tools/chaos/reports/fuzz-<seed>.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Answer, WireRequest } from './http';
import { encodeBody } from './http';

export type FindingKind = '5xx' | 'no-answer' | 'malformed-answer' | 'state-change' | 'forged-accepted' | 'unsettled' | 'late-change' | 'answer-differs';

/** Findings that fail a run (the others are reported for people to judge). */
export const FAILING: ReadonlySet<FindingKind> = new Set(['5xx', 'no-answer', 'malformed-answer', 'state-change', 'forged-accepted', 'late-change']);

export interface Finding {
  kind: FindingKind;
  where: string;
  /** The request's position in its phase: with the seed, enough to replay it. */
  index: number;
  request: string;
  answer: string;
  detail: string[];
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text);

/** The request as it went on the wire (headers and body truncated), for reports and logs. */
export function describeRequest(base: string, wire: WireRequest): string {
  const { bytes, contentType } = encodeBody(wire.body);
  const headers = Object.entries({ ...wire.headers, ...(contentType !== null && { 'content-type': contentType }) })
    .map(([name, value]) => `${name}: ${truncate(Array.isArray(value) ? value.join(' | ') : value, 160)}`)
    .join('\n');
  const body = bytes ? truncate(bytes.toString('utf8'), 600) : '(no body)';
  return `${wire.method} ${base}${truncate(wire.path, 300)}\n${headers}\n\n${body}`;
}

export const describeAnswer = (answer: Answer) =>
  answer.failure ? `no answer: ${answer.failure} (${answer.ms} ms)` : `HTTP ${answer.status} (${answer.ms} ms) ${truncate(answer.text, 400)}`;

interface DoorCounts {
  requests: number;
  validToken: number;
  reached: number;
  validTokenReached: number;
  accepted: number;
  fiveXX: number;
  stateChanges: number;
  documentedRefusals: number;
  acceptedChangingState: number;
  unsendable: number;
  ms: number;
}

const newCounts = (): DoorCounts => ({
  requests: 0,
  validToken: 0,
  reached: 0,
  validTokenReached: 0,
  accepted: 0,
  fiveXX: 0,
  stateChanges: 0,
  documentedRefusals: 0,
  acceptedChangingState: 0,
  unsendable: 0,
  ms: 0,
});

const bump = <K>(map: Map<K, number>, key: K, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

export class FuzzReport {
  readonly doors = new Map<string, DoorCounts>();
  /** route -> status -> count */
  readonly statuses = new Map<string, Map<string, number>>();
  readonly reachedByRoute = new Map<string, number>();
  readonly gates = new Map<string, number>();
  /** Kinds of request (valid, body:deep-array, token:expired...) with how many reached a handler. */
  readonly modes = new Map<string, { requests: number; reached: number; statuses: Map<string, number> }>();
  /** Error codes answered by handlers (not gates), with a sample message. */
  readonly handlerErrors = new Map<string, { count: number; sample: string }>();
  readonly notifyScenarios = new Map<string, Map<string, number>>();
  readonly notifyCounts = { forms: 0, success: 0, failure: 0, refused: 0, fiveXX: 0, stateChanges: 0, differs: 0, ms: 0 };
  readonly findings: Finding[] = [];
  readonly notes: string[] = [];
  readonly startedAt = new Date();

  constructor(readonly seed: number) {}

  door(name: string): DoorCounts {
    let counts = this.doors.get(name);
    if (!counts) this.doors.set(name, (counts = newCounts()));
    return counts;
  }

  answered(route: string, status: number | string, mode: string, reached: boolean): void {
    let statuses = this.statuses.get(route);
    if (!statuses) this.statuses.set(route, (statuses = new Map()));
    bump(statuses, String(status));
    if (reached) bump(this.reachedByRoute, route);
    const modeCounts = this.modes.get(mode) ?? { requests: 0, reached: 0, statuses: new Map<string, number>() };
    modeCounts.requests++;
    if (reached) modeCounts.reached++;
    bump(modeCounts.statuses, String(status));
    this.modes.set(mode, modeCounts);
  }

  gate(gate: string): void {
    bump(this.gates, gate);
  }

  handlerError(status: number, code: string, message: string): void {
    // One line per kind of message: ids and amounts vary, the words do not.
    const key = `${status} ${code}: ${message.replace(/\d+(\.\d+)?/g, 'N').slice(0, 80)}`;
    const entry = this.handlerErrors.get(key) ?? { count: 0, sample: message };
    entry.count++;
    this.handlerErrors.set(key, entry);
  }

  notifyAnswered(scenario: string, reply: string): void {
    let replies = this.notifyScenarios.get(scenario);
    if (!replies) this.notifyScenarios.set(scenario, (replies = new Map()));
    bump(replies, reply);
  }

  find(finding: Finding): void {
    this.findings.push(finding);
  }

  failing(): Finding[] {
    return this.findings.filter((finding) => FAILING.has(finding.kind));
  }

  summary(): string {
    const lines = [`fuzz seed ${this.seed}: ${((Date.now() - this.startedAt.getTime()) / 1000).toFixed(0)} s`];
    for (const [name, counts] of this.doors) {
      lines.push(
        `  ${name}: ${counts.requests} requests, ${share(counts.validTokenReached, counts.requests)} with a valid token reached a handler (${share(counts.reached, counts.requests)} in all), ${counts.accepted} accepted, ${counts.fiveXX} 5xx, ${counts.stateChanges} state changes by refused requests`,
      );
    }
    const notify = this.notifyCounts;
    if (notify.forms)
      lines.push(
        `  notify: ${notify.forms} forms, ${notify.success} success, ${notify.failure} failure, ${notify.refused} refused before the handler, ${notify.fiveXX} 5xx, ${notify.stateChanges} state changes, ${notify.differs} answers other than expected`,
      );
    const byKind = new Map<string, number>();
    for (const finding of this.findings) bump(byKind, finding.kind);
    lines.push(`  findings: ${[...byKind].map(([kind, count]) => `${count} ${kind}`).join(', ') || 'none'}`);
    return lines.join('\n');
  }

  markdown(command: string): string {
    const out: string[] = [];
    out.push(`# Fuzz run ${this.seed}`, '');
    out.push(`Started ${this.startedAt.toISOString()}, ${((Date.now() - this.startedAt.getTime()) / 1000).toFixed(0)} s. Replay: \`${command}\`.`, '');
    out.push(
      '## Totals',
      '',
      '| front door | requests | valid token | reached a handler | valid token and reached | accepted (2xx) | accepted that changed state | documented refusals that left rows | 5xx | state changes by refused requests | time |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const [name, c] of this.doors) {
      out.push(
        `| ${name} | ${c.requests} | ${c.validToken} | ${c.reached} (${share(c.reached, c.requests)}) | ${c.validTokenReached} (${share(c.validTokenReached, c.requests)}) | ${c.accepted} | ${c.acceptedChangingState} | ${c.documentedRefusals} | ${c.fiveXX} | ${c.stateChanges} | ${(c.ms / 1000).toFixed(0)} s |`,
      );
    }
    const n = this.notifyCounts;
    if (n.forms) {
      out.push(
        '',
        `Alipay notify: ${n.forms} forms, ${n.success} success, ${n.failure} failure, ${n.refused} refused before the handler (413, 415...), ${n.fiveXX} 5xx, ${n.stateChanges} state changes, ${n.differs} answers other than the contract's (${(n.ms / 1000).toFixed(0)} s).`,
      );
    }
    out.push('', '## Answers by route', '', '| route | requests | reached a handler | statuses |', '|---|---:|---:|---|');
    for (const [route, statuses] of [...this.statuses].sort(([a], [b]) => a.localeCompare(b))) {
      const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
      out.push(
        `| \`${route}\` | ${total} | ${share(this.reachedByRoute.get(route) ?? 0, total)} | ${[...statuses]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, count]) => `${status}×${count}`)
          .join(' ')} |`,
      );
    }
    out.push('', '## Requests by kind', '', '| kind | requests | reached a handler | statuses |', '|---|---:|---:|---|');
    for (const [mode, counts] of [...this.modes].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(
        `| ${mode.replaceAll('|', '\\|')} | ${counts.requests} | ${share(counts.reached, counts.requests)} | ${[...counts.statuses]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, count]) => `${status}×${count}`)
          .join(' ')} |`,
      );
    }
    out.push('', '## Refused at the gates', '', '| gate | requests |', '|---|---:|');
    for (const [gate, count] of [...this.gates].sort(([, a], [, b]) => b - a)) out.push(`| ${gate} | ${count} |`);
    out.push('', '## Errors answered by handlers', '', '| status, code and message | requests | an example |', '|---|---:|---|');
    for (const [key, { count, sample }] of [...this.handlerErrors].sort(([, a], [, b]) => b.count - a.count))
      out.push(`| ${key} | ${count} | ${sample.replaceAll('|', '\\|').slice(0, 120)} |`);
    if (this.notifyScenarios.size) {
      out.push('', '## Notify forms by scenario', '', '| scenario | answers |', '|---|---|');
      for (const [scenario, replies] of [...this.notifyScenarios].sort(([a], [b]) => a.localeCompare(b)))
        out.push(`| ${scenario} | ${[...replies].map(([reply, count]) => `${reply}×${count}`).join(' ')} |`);
    }
    out.push('', '## Findings', '');
    if (this.findings.length === 0) out.push('None.');
    const shown = new Map<string, number>();
    for (const finding of this.findings) {
      const key = `${finding.kind} ${finding.where}`;
      const count = bump(shown, key).get(key)!;
      if (count > 3) continue;
      out.push(`### ${finding.kind}: ${finding.where} (#${finding.index})`, '', '```', finding.request, '```', '', `Answer: ${finding.answer}`, '');
      for (const line of finding.detail) out.push(`- ${line}`);
      out.push('');
    }
    const hidden = [...shown].filter(([, count]) => count > 3);
    if (hidden.length) out.push(`More of the same, not shown: ${hidden.map(([key, count]) => `${key} ×${count - 3}`).join('; ')}.`, '');
    if (this.notes.length) out.push('## Notes', '', ...this.notes.map((note) => `- ${note}`), '');
    return out.join('\n');
  }

  pathIn(dir: string): string {
    return join(dir, `fuzz-${this.seed}.md`);
  }

  write(dir: string, command: string): string {
    mkdirSync(dir, { recursive: true });
    writeFileSync(this.pathIn(dir), this.markdown(command));
    return this.pathIn(dir);
  }
}

export const share = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '-');
