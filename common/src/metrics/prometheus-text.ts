/**
 * Reads Prometheus' text exposition format (version 0.0.4, what prom-client serves): one sample
 * per line, `name{label="value",...} value [timestamp]`, comments and blank lines skipped. For
 * tools and tests that scrape the processes (the benches' cost tables); not a full OpenMetrics
 * parser (no exemplars, no units).
 */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** The samples of a scrape, in order. A line that does not parse throws, naming the line. */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      samples.push(parseLine(line));
    } catch (error) {
      throw new Error(`line ${n + 1} of the scrape (${JSON.stringify(line.slice(0, 120))}): ${(error as Error).message}`, { cause: error });
    }
  }
  return samples;
}

function parseLine(line: string): MetricSample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error('no metric name');
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    for (;;) {
      while (line[at] === ' ' || line[at] === ',') at++;
      if (line[at] === '}') {
        at++;
        break;
      }
      const label = LABEL_NAME.exec(line.slice(at))?.[0];
      if (!label) throw new Error(`bad label name at column ${at + 1}`);
      at += label.length;
      if (line[at] !== '=' || line[at + 1] !== '"') throw new Error(`label ${label} has no quoted value`);
      at += 2;
      let value = '';
      for (;;) {
        const c = line[at];
        if (c === undefined) throw new Error(`label ${label}: unterminated value`);
        at++;
        if (c === '"') break;
        if (c === '\\') {
          const escaped = line[at++];
          value += escaped === 'n' ? '\n' : escaped === '\\' ? '\\' : escaped === '"' ? '"' : `\\${escaped ?? ''}`;
        } else value += c;
      }
      labels[label] = value;
    }
  }
  const [valueText] = line.slice(at).trim().split(/\s+/);
  if (!valueText) throw new Error('no value');
  return { name, labels, value: parseValue(valueText) };
}

/** A Go float, as Prometheus reads it: NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`value ${JSON.stringify(text)} is not a number`);
  return value;
}

/** The sum of the samples of `name` whose labels include `where` (every sample of it when `where` is empty). */
export function sumOf(samples: readonly MetricSample[], name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const sample of samples) if (sample.name === name && matches(sample.labels, where)) sum += sample.value;
  return sum;
}

/** The samples of `name` summed per value of the label `by` (samples without it under ''). */
export function sumBy(samples: readonly MetricSample[], name: string, by: string | ((labels: Record<string, string>) => string)): Map<string, number> {
  const key = typeof by === 'string' ? (labels: Record<string, string>) => labels[by] ?? '' : by;
  const sums = new Map<string, number>();
  for (const sample of samples) if (sample.name === name) sums.set(key(sample.labels), (sums.get(key(sample.labels)) ?? 0) + sample.value);
  return sums;
}

function matches(labels: Record<string, string>, where: Record<string, string>): boolean {
  for (const label in where) if (labels[label] !== where[label]) return false;
  return true;
}
