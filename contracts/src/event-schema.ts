/**
 * The schema language of the event catalogue: a body is a record of fields, each with a check
 * run at the consumer's door and a TypeScript type derived from it, so one declaration gives
 * producers and consumers the same body type and the consumer a validator.
 */
import { isSnowflakeId } from '@shop/common/ids';
import { parseCents } from '@shop/common/money';

export interface Field<T, Optional extends boolean = boolean> {
  /** What the field must be, for the dead-letter log line. */
  readonly expected: string;
  readonly optional: Optional;
  accepts(value: unknown): value is T;
}

function field<T>(expected: string, accepts: (value: unknown) => boolean): Field<T, false> {
  return { expected, optional: false, accepts: accepts as (value: unknown) => value is T };
}

const isString = (value: unknown): value is string => typeof value === 'string';

export const fields = {
  /** A snowflake id (order, user, payment, refund...). */
  id: field<string>('a snowflake id', (v) => isString(v) && isSnowflakeId(v)),
  text: field<string>('a string', isString),
  /** A decimal amount of money ("29.00"). */
  amount: field<string>('a decimal amount', (v) => isString(v) && parseCents(v) !== undefined),
  /** A whole number written as a string (points: they may outgrow a double). */
  count: field<string>('a whole number as a string', (v) => isString(v) && /^\d{1,19}$/.test(v)),
  /** An RFC 3339 time. */
  time: field<string>('an RFC 3339 time', (v) => isString(v) && !Number.isNaN(Date.parse(v))),
  oneOf<const V extends readonly string[]>(...values: V): Field<V[number], false> {
    return field<V[number]>(`one of ${values.join(', ')}`, (v) => isString(v) && values.includes(v));
  },
  optional<T>(inner: Field<T, false>): Field<T | undefined, true> {
    return { expected: `absent or ${inner.expected}`, optional: true, accepts: (v): v is T | undefined => v === undefined || inner.accepts(v) };
  },
};

export type Schema = Record<string, Field<unknown>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ValueOf<F> = F extends Field<infer T> ? Exclude<T, undefined> : never;
type RequiredKeys<S extends Schema> = { [K in keyof S]: S[K]['optional'] extends true ? never : K }[keyof S];
type OptionalKeys<S extends Schema> = Exclude<keyof S, RequiredKeys<S>>;

/** The body type a schema describes: its optional fields may be left out. */
export type BodyOf<S extends Schema> = Simplify<{ [K in RequiredKeys<S>]: ValueOf<S[K]> } & { [K in OptionalKeys<S>]?: ValueOf<S[K]> }>;

/**
 * What is wrong with a value as a body of this schema, or undefined when nothing is. Fields the
 * schema does not know are allowed: a newer producer may add one before its consumers read it.
 */
export function problemWith(schema: Schema, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body is not a JSON object';
  const record = value as Record<string, unknown>;
  for (const [name, rule] of Object.entries(schema)) {
    if (!rule.accepts(record[name])) return `${name} must be ${rule.expected}, got ${JSON.stringify(record[name]) ?? 'nothing'}`;
  }
  return undefined;
}
