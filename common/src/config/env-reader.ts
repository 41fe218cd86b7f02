/**
 * Typed configuration read from the environment, validated in one pass.
 *
 * A process describes its settings once (`defineConfig`), every value is parsed and checked at
 * start-up, and all the problems are reported together so that an operator fixes them in one go
 * instead of discovering them one restart at a time (Online Boutique's `mustMapEnv`, batched).
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

interface Common<T> {
  /** Used when the variable is unset or empty. Without a default the variable is required. */
  default?: T;
}

export interface EnvReader {
  string(name: string, opts?: Common<string> & { oneOf?: readonly string[] }): string;
  int(name: string, opts?: Common<number> & { min?: number; max?: number }): number;
  bool(name: string, opts?: Common<boolean>): boolean;
  /** A decimal amount with at most two places, kept as a string ("10.00") so it never meets a float. */
  money(name: string, opts?: Common<string>): string;
  /** Comma-separated list. */
  list(name: string, opts?: Common<string[]>): string[];
}

/** One setting as a config definition reads it: what .env.example is generated from (scripts/env-example.ts). */
export interface SettingRead {
  name: string;
  kind: 'string' | 'int' | 'bool' | 'money' | 'list';
  /** The declared default, as text; undefined when the setting is required. */
  default?: string;
  oneOf?: readonly string[];
  min?: number;
  max?: number;
}

/** Listens to every read while {@link recordSettings} runs a loader; nobody listens otherwise. */
let recorder: ((setting: SettingRead) => void) | undefined;

/**
 * Runs `load` (a process's config loader, e.g. `() => loadOrderConfig(env)`) and returns every
 * setting its definition read, in order, and the problems it found: a loader that refuses the
 * environment has still read its settings.
 */
export function recordSettings(load: () => unknown): { settings: SettingRead[]; problems: string[] } {
  const settings: SettingRead[] = [];
  recorder = (setting) => settings.push(setting);
  try {
    load();
    return { settings, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { settings, problems: error.problems };
    throw error;
  } finally {
    recorder = undefined;
  }
}

function note(kind: SettingRead['kind'], name: string, opts: (Common<unknown> & { oneOf?: readonly string[]; min?: number; max?: number }) | undefined) {
  if (!recorder) return;
  const fallback = opts?.default;
  recorder({
    name,
    kind,
    ...(fallback !== undefined && { default: Array.isArray(fallback) ? fallback.join(',') : String(fallback) }),
    ...(opts?.oneOf && { oneOf: opts.oneOf }),
    ...(opts?.min !== undefined && { min: opts.min }),
    ...(opts?.max !== undefined && { max: opts.max }),
  });
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
const MONEY = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

function createReader(source: NodeJS.ProcessEnv, problems: string[]): EnvReader {
  // Returns the raw value, the default, or records a "missing" problem.
  function raw<T>(name: string, opts: Common<T> | undefined): string | { fallback: T } | undefined {
    const value = source[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
    if (opts && 'default' in opts && opts.default !== undefined) return { fallback: opts.default };
    problems.push(`${name} is required`);
    return undefined;
  }

  return {
    string(name, opts) {
      note('string', name, opts);
      const v = raw(name, opts);
      if (v === undefined) return '';
      const s = typeof v === 'string' ? v : v.fallback;
      if (opts?.oneOf && !opts.oneOf.includes(s)) {
        problems.push(`${name}=${JSON.stringify(s)} must be one of ${opts.oneOf.join(', ')}`);
      }
      return s;
    },
    int(name, opts) {
      note('int', name, opts);
      const v = raw(name, opts);
      if (v === undefined) return 0;
      if (typeof v !== 'string') return v.fallback;
      if (!/^-?\d+$/.test(v)) {
        problems.push(`${name}=${JSON.stringify(v)} is not an integer`);
        return 0;
      }
      const n = Number(v);
      if (!Number.isSafeInteger(n)) problems.push(`${name}=${v} is out of range`);
      if (opts?.min !== undefined && n < opts.min) problems.push(`${name}=${v} must be >= ${opts.min}`);
      if (opts?.max !== undefined && n > opts.max) problems.push(`${name}=${v} must be <= ${opts.max}`);
      return n;
    },
    bool(name, opts) {
      note('bool', name, opts);
      const v = raw(name, opts);
      if (v === undefined) return false;
      if (typeof v !== 'string') return v.fallback;
      const lower = v.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      problems.push(`${name}=${JSON.stringify(v)} is not a boolean (true/false)`);
      return false;
    },
    money(name, opts) {
      note('money', name, opts);
      const v = raw(name, opts);
      if (v === undefined) return '0.00';
      const s = typeof v === 'string' ? v : v.fallback;
      if (!MONEY.test(s)) problems.push(`${name}=${JSON.stringify(s)} is not an amount like 10.00`);
      return s;
    },
    list(name, opts) {
      note('list', name, opts);
      const v = raw(name, opts);
      if (v === undefined) return [];
      if (typeof v !== 'string') return v.fallback;
      return v
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    },
  };
}

/**
 * Builds a typed configuration from the environment.
 *
 * @param describe maps an {@link EnvReader} to the configuration object; it may also check
 *   relations between settings and report them through `fail`.
 * @throws ConfigError listing every problem found, when there is at least one.
 */
export function defineConfig<T>(describe: (env: EnvReader, fail: (problem: string) => void) => T, source: NodeJS.ProcessEnv = process.env): T {
  const problems: string[] = [];
  const config = describe(createReader(source, problems), (problem) => problems.push(problem));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
