/**
 * JSON Schema -> fast-check arbitrary: values the schema accepts (patterns through
 * fc.stringMatching, enums, bounded integers, objects with their required and optional
 * properties, arrays within minItems/maxItems, `oneOf` branches that only differ by what they
 * require). A hint may offer, for a property or parameter name, values of its own (real ids):
 * they are mixed with the schema's, so that requests reach the handlers with ids that exist.
 */
import fc from 'fast-check';
import type { JsonSchema } from './openapi';

/** Values to mix in for a named property or parameter (undefined: the schema alone). */
export type Hint = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

export interface ArbitraryOptions {
  hint?: Hint;
  /** The property or parameter the schema describes (what hints are looked up by). */
  name?: string;
  /**
   * Weight of the hint's values against the schema's own (default 6 to 1): high, because a body
   * with several ids reaches its handler only if every one of them exists.
   */
  hintWeight?: number;
}

const STRING_CAP = 64;
const ARRAY_CAP = 8;

const typesOf = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);

/** A `oneOf`/`anyOf` whose alternatives only add `required` names (placeOrderBody's items | fromCart). */
const isRequiredOnlyBranching = (alternatives: JsonSchema[]) =>
  alternatives.every((alternative) => Object.keys(alternative).every((key) => key === 'required'));

export function arbitraryOf(schema: JsonSchema, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const base = schemaArbitrary(schema, options);
  const hinted = options.name !== undefined ? options.hint?.(options.name, schema) : undefined;
  const withHint = hinted ? fc.oneof({ weight: options.hintWeight ?? 6, arbitrary: hinted }, { weight: 1, arbitrary: base }) : base;
  return schema.nullable ? fc.oneof({ weight: 9, arbitrary: withHint }, { weight: 1, arbitrary: fc.constant(null) }) : withHint;
}

function schemaArbitrary(schema: JsonSchema, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  const child = (sub: JsonSchema, name?: string) => arbitraryOf(sub, { ...options, name });
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives && !isRequiredOnlyBranching(alternatives)) {
    return fc.oneof(...alternatives.map((alternative) => child({ ...withoutBranches(schema), ...alternative }, options.name)));
  }
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => child({ ...schema, type }, options.name)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -(2 ** 31), max: schema.maximum ?? 2 ** 31 - 1 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case 'string':
      return stringArbitrary(schema);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? ARRAY_CAP, ARRAY_CAP));
      return fc.array(schema.items ? child(schema.items, options.name) : fc.jsonValue(), { minLength, maxLength });
    }
    case 'object':
      return objectArbitrary(schema, options);
    default:
      // No type: the schema accepts anything JSON.
      return schema.properties ? objectArbitrary(schema, options) : fc.jsonValue();
  }
}

const withoutBranches = (schema: JsonSchema): JsonSchema => {
  const copy = { ...schema };
  delete copy.oneOf;
  delete copy.anyOf;
  return copy;
};

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  // ajv counts code points: every unit below is one code point, so the bounds hold.
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? STRING_CAP, STRING_CAP));
  if (schema.pattern) {
    const pattern = fc.stringMatching(new RegExp(schema.pattern));
    return schema.minLength !== undefined || schema.maxLength !== undefined
      ? pattern.filter((text) => codePoints(text) >= minLength && codePoints(text) <= (schema.maxLength ?? Infinity))
      : pattern;
  }
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  // Mostly printable ASCII (what people type), sometimes any code point (what they paste).
  const unit = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  );
  return fc.string({ unit, minLength, maxLength });
}

export const codePoints = (text: string) => [...text].length;

function objectArbitrary(schema: JsonSchema, options: ArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  const build = (names: string[], requiredNames: string[]) =>
    fc.record(Object.fromEntries(names.map((name) => [name, arbitraryOf(properties[name]!, { ...options, name })])), {
      requiredKeys: names.filter((name) => requiredNames.includes(name)),
      noNullPrototype: true,
    }) as fc.Arbitrary<Record<string, unknown>>;
  const branches = schema.oneOf ?? schema.anyOf;
  if (!branches) return build(Object.keys(properties), required);
  // One branch at a time: its names required, the names only other branches require left out, so
  // that exactly one alternative of a oneOf holds.
  const requiredByBranch = branches.map((branch) => branch.required ?? []);
  return fc.oneof(
    ...requiredByBranch.map((own, index) => {
      const others = requiredByBranch.filter((_, other) => other !== index).flat();
      const names = Object.keys(properties).filter((name) => own.includes(name) || !others.includes(name));
      return build(names, [...required, ...own]);
    }),
  );
}
