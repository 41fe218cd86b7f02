/**
 * JSON text the way a hostile client writes it. JSON.stringify cannot write a duplicated key, a
 * number that overflows a double (1e309), an own `__proto__` key or 5000 levels of nesting in a
 * controlled way, so request bodies are values of this small model, serialised here.
 */

/** Text copied verbatim into the JSON: `1e309`, `-0`, `NaN`, a deliberately broken fragment. */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * An object written as the listed entries, in order, duplicates and `__proto__` included (a
 * plain object literal would turn `__proto__` into a prototype and fold duplicated keys).
 */
export class Entries {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

/** The JSON text of a value of the model (undefined properties are left out, as JSON.stringify does). */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Entries) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : toJsonText(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // NaN, Infinity: invalid JSON on purpose
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/** `depth` arrays (or objects) nested in each other, as raw text: no recursion on our side. */
export function deeplyNested(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array' ? new RawJson('['.repeat(depth) + ']'.repeat(depth)) : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}
