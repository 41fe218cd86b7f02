/**
 * Hostile values: what a careless or malicious client sends instead of what the schema asks.
 * Field values (per property: wrong types, near misses of the pattern, out-of-range numbers,
 * unicode, nulls, deep nesting, prototype keys), whole bodies (invalid JSON, duplicated keys,
 * wrong content types, oversized), path segments, query strings, and headers.
 */
import fc from 'fast-check';
import type { BodyPlan } from './http';
import { deeplyNested, Entries, RawJson, toJsonText } from './json-text';
import type { JsonSchema } from './openapi';
import { isPlainObject } from './pools';

/** The front doors' body limit (fastify bodyLimit): a byte more answers 413. */
export const BODY_LIMIT = 64 * 1024;

const raw = (text: string) => new RawJson(text);

/** Numbers no handler expects, some only writable as raw JSON text. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    raw('1e309'),
    raw('-1e309'),
    raw('1E400'),
    raw('1e-400'),
    raw('9007199254740993'),
    raw('-9007199254740993'),
    raw('18446744073709551616'),
    raw('1' + '0'.repeat(400)),
    raw('1.0'),
    raw('-0'),
    raw('1e3'),
    raw('0.1e1'),
    raw('999.99999999999999999'),
    1e21,
    1e308,
    -1,
    0,
    0.5,
    1.5,
    -0.01,
    Number.MAX_SAFE_INTEGER,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 63,
    1000,
    10_000_001,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
);

/** Numbers that make the whole text invalid JSON (a parser must refuse it, not crash). */
export const invalidJsonNumber = fc.constantFrom(
  raw('NaN'),
  raw('Infinity'),
  raw('-Infinity'),
  raw('0x10'),
  raw('01'),
  raw('+1'),
  raw('.5'),
  raw('1.'),
  raw('1e'),
);

/** Strings: unicode oddities, injections, numbers in disguise, lengths past every maxLength. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\uD800',
      '\uDFFF',
      'x\uDBFFy',
      '\uFFFE',
      '🛒',
      '👨‍👩‍👧‍👦',
      '\u202Eevil\u202C',
      'مرحبا بالعالم',
      '\u200B',
      'e\u0301\u0301\u0301',
      '\uFEFF1',
      '𝟙𝟚𝟛',
      '１２３',
      '١٢٣',
      "' OR '1'='1",
      '"; DROP TABLE `user`; --',
      '\\',
      '%00',
      '%s%n%x',
      '../../../etc/passwd',
      '<script>alert(1)</script>',
      '${jndi:ldap://127.0.0.1/x}',
      '{{7*7}}',
      '\r\n',
      'null',
      'undefined',
      'true',
      'NaN',
      'Infinity',
      '1',
      '-1',
      '0',
      '1e309',
      '00',
      '0123',
      ' 1',
      '1 ',
      '1.5',
      '-0.01',
      '0.001',
      '1e2',
      '99999999999999999999999',
      '18446744073709551616',
      '9223372036854775808',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(65, 129, 201, 1000, 20_000).chain((length) => fc.constantFrom('A', '🛒', 'é', '\u0000').map((unit) => unit.repeat(length))),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 100 }) },
);

/** Anything but the expected scalar: containers, prototype keys, deep nesting. */
export const hostileContainer: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    [],
    {},
    [1, 2, 3],
    { $gt: '' },
    new Entries([['__proto__', { admin: true }]]),
    new Entries([['constructor', { prototype: { admin: true } }]]),
    new Entries([['prototype', { admin: true }]]),
  ),
  fc.constantFrom(50, 500, 5000).map((depth) => deeplyNested(depth, 'array')),
  fc.jsonValue({ maxDepth: 3 }),
);

const NUMERIC_ID = /\[1-9\]\[0-9\]/;
const MONEY = /\\\.\[0-9\]\{1,2\}/;

/** Near misses for a pattern: one character too many, a sign, a space, another digit set. */
function patternNearMisses(schema: JsonSchema): fc.Arbitrary<string> {
  const pattern = schema.pattern ?? '';
  if (NUMERIC_ID.test(pattern) && !MONEY.test(pattern)) {
    return fc.constantFrom(
      '0',
      '00',
      '0123',
      '-1',
      '+1',
      '1e3',
      ' 1',
      '1 ',
      '1.0',
      '１',
      '١',
      '1'.repeat(21),
      '1'.repeat(25),
      '99999999999999999999',
      '18446744073709551616',
      '9223372036854775808',
      '9223372036854775807',
      '1;1',
      '1/1',
    );
  }
  if (MONEY.test(pattern)) {
    return fc.constantFrom(
      '1.001',
      '-1.00',
      '+1.00',
      '1e2',
      '.5',
      '00.10',
      '1,00',
      '1.',
      ' 1.00',
      '999999999999.99',
      '9999999999999',
      '0.00',
      '0',
      '0.01',
      '１.００',
      'NaN',
      'Infinity',
    );
  }
  return fc.constantFrom(
    '',
    ' ',
    '0000-00-00',
    '9999-99-99',
    '2026-02-30',
    '2026-13-01',
    '1970-01-01',
    '٢٠٢٦-٠١-٠١',
    '2026-1-1',
    '20260101',
    '2026-01-01T00:00:00Z',
  );
}

/** A hostile value for a property of this schema: type-aware near misses first, then anything. */
export function hostileValueFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const specific: fc.Arbitrary<unknown>[] = [];
  if (schema.enum) {
    const texts = schema.enum.filter((value): value is string => typeof value === 'string');
    if (texts.length)
      specific.push(
        fc
          .constantFrom(...texts)
          .chain((value) => fc.constantFrom(value.toLowerCase(), ` ${value}`, `${value}\u0000`, `${value}X`, value.replace(/[AEIOU]/, '\u0130'))),
      );
    specific.push(fc.constantFrom('UNKNOWN', '', 'true', 1));
  }
  switch (type) {
    case 'integer':
    case 'number': {
      const { minimum = 0, maximum = 1000 } = schema;
      specific.push(
        fc.constantFrom<unknown>(minimum - 1, maximum + 1, minimum + 0.5, String(minimum), String(maximum), `${minimum}`.padStart(3, '0'), null, true),
        hostileNumber,
      );
      break;
    }
    case 'string':
      if (schema.pattern) specific.push(patternNearMisses(schema));
      if (schema.maxLength !== undefined)
        specific.push(fc.constantFrom('x'.repeat(schema.maxLength + 1), '🛒'.repeat(schema.maxLength + 1), 'é'.repeat(schema.maxLength)));
      if ((schema.minLength ?? 0) > 0) specific.push(fc.constant(''));
      specific.push(fc.constantFrom<unknown>(1, 0, -1, 1.5, null, true, raw('1e309')));
      break;
    case 'boolean':
      specific.push(fc.constantFrom<unknown>('true', 'false', 1, 0, null, 'yes'));
      break;
    case 'array': {
      const item = schema.items;
      specific.push(fc.constantFrom<unknown>([], {}, 'items', [null], [[]]));
      if (schema.maxItems !== undefined && item) specific.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, () => ({}))));
      break;
    }
    case 'object':
      specific.push(fc.constantFrom<unknown>([], 'object', 1, null));
      break;
  }
  return fc.oneof(
    { weight: 3, arbitrary: specific.length ? fc.oneof(...specific) : hostileString },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: hostileNumber },
    { weight: 1, arbitrary: hostileContainer },
  );
}

/** A field of a generated body: where it is and the schema it must follow. */
export interface FieldSlot {
  path: (string | number)[];
  schema: JsonSchema;
}

/** Every property of the value the schema describes, nested ones (items[0].quantity) included. */
export function fieldSlots(value: unknown, schema: JsonSchema | undefined, path: (string | number)[] = []): FieldSlot[] {
  if (!schema) return [];
  const slots: FieldSlot[] = path.length ? [{ path, schema }] : [];
  if (isPlainObject(value) && schema.properties) {
    for (const [name, sub] of Object.entries(schema.properties)) slots.push(...fieldSlots(value[name], sub, [...path, name]));
  } else if (Array.isArray(value) && schema.items) {
    value.forEach((item, index) => slots.push(...fieldSlots(item, schema.items, [...path, index])));
  }
  return slots;
}

/** A copy of the value with the slot at `path` replaced (created if missing). */
export function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number') return value.map((item, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  const object = isPlainObject(value) ? value : {};
  return { ...object, [head as string]: replaceAt(object[head as string], rest, replacement) };
}

export interface HostileBody {
  body: BodyPlan;
  label: string;
}

const jsonBody = (value: unknown, label: string, contentType?: string | null): HostileBody => ({
  body: { kind: 'json', value, ...(contentType !== undefined && { contentType }) },
  label,
});
const rawBody = (text: string, label: string, contentType: string | null = 'application/json', encoding: 'utf8' | 'latin1' = 'utf8'): HostileBody => ({
  body: { kind: 'raw', text, encoding, contentType },
  label,
});

/** One field of a valid body replaced by a hostile value for its schema; undefined for a body without fields. */
export function hostileField(valid: unknown, schema: JsonSchema | undefined): fc.Arbitrary<HostileBody> | undefined {
  const slots = fieldSlots(valid, schema);
  if (!slots.length) return undefined;
  return fc.nat(slots.length - 1).chain((index) => {
    const slot = slots[index]!;
    return hostileValueFor(slot.schema).map((value) => jsonBody(replaceAt(valid, slot.path, value), `field:${slot.path.join('.')}`));
  });
}

/** Whole-body mutations of a valid value: structure, syntax, size, encoding, content type. */
export function hostileBody(valid: unknown, schema: JsonSchema | undefined): fc.Arbitrary<HostileBody> {
  const validText = toJsonText(valid);
  const object = isPlainObject(valid) ? valid : {};
  const keys = Object.keys(object);
  const required = schema?.required ?? [];
  const choices: fc.Arbitrary<HostileBody>[] = [];
  if (required.length)
    choices.push(
      fc.constantFrom(...required).map((name) => jsonBody(Object.fromEntries(Object.entries(object).filter(([key]) => key !== name)), `missing:${name}`)),
    );
  choices.push(
    fc
      .constantFrom('__proto__', 'constructor', 'prototype', 'unknownField', 'isAdmin', 'userId', 'price', 'status')
      .chain((key) =>
        fc
          .constantFrom<unknown>({ admin: true }, { prototype: { admin: true } }, 'x', 1, null)
          .map((value) => jsonBody(new Entries([...Object.entries(object), [key, value]]), `extra-key:${key}`)),
      ),
  );
  if (keys.length) {
    choices.push(
      fc.tuple(fc.constantFrom(...keys), hostileValueFor(schema?.properties?.[keys[0]!] ?? {}), fc.boolean()).map(([key, value, hostileFirst]) => {
        const entries = Object.entries(object);
        const duplicate: [string, unknown] = [key, value];
        return jsonBody(
          new Entries(hostileFirst ? [duplicate, ...entries] : [...entries, duplicate]),
          `duplicate-key:${key}:${hostileFirst ? 'hostile-first' : 'hostile-last'}`,
        );
      }),
    );
  }
  choices.push(
    fc.constantFrom(5000, 20_000, 32_000).map((depth) => jsonBody(deeplyNested(depth, 'array'), `deep-array:${depth}`)),
    fc.constantFrom(1000, 5000, 10_000).map((depth) => jsonBody(deeplyNested(depth, 'object'), `deep-object:${depth}`)),
    fc
      .constantFrom(1000, 5000)
      .chain((depth) =>
        (keys.length ? fc.constantFrom(...keys) : fc.constant('x')).map((key) =>
          jsonBody({ ...object, [key]: deeplyNested(depth, 'array') }, `deep-field:${key}:${depth}`),
        ),
      ),
    fc.constantFrom<unknown>([], 'text', 1, null, true, [valid]).map((value) => jsonBody(value, `top-level:${Array.isArray(value) ? 'array' : String(value)}`)),
    fc
      .constantFrom(
        validText.slice(0, Math.max(1, validText.length - 1)),
        `${validText.slice(0, -1)},}`,
        validText.replaceAll('"', "'"),
        `/* c */${validText}`,
        `\uFEFF${validText}`,
        `${validText}garbage`,
        `${validText}${validText}`,
        '',
        ' ',
        '{',
        '}',
        '{"a":}',
        '{"a" 1}',
        '\u0000',
        '{"a":"\u0001\u0002"}',
        '[' + ','.repeat(1000) + ']',
      )
      .map((body) => rawBody(body, 'invalid-json')),
    invalidJsonNumber.map((number) => jsonBody(keys.length ? { ...object, [keys[0]!]: number } : number, 'invalid-json-number')),
    fc.constantFrom(BODY_LIMIT + 1, BODY_LIMIT + 1024, 200 * 1024, 1024 * 1024).map((size) => rawBody(padded(object, size), `oversized:${size}`)),
    fc.constantFrom(BODY_LIMIT - 200).map((size) => rawBody(padded(object, size), `near-limit:${size}`)),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=fuzz',
        null,
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'APPLICATION/JSON',
        'application/json;',
        'application/jsonx',
        'application/vnd.api+json',
        'application/json, text/plain',
        '*/*',
        '',
      )
      .map((contentType) => jsonBody(valid, `content-type:${contentType ?? 'none'}`, contentType)),
    fc.constant(
      rawBody(
        new URLSearchParams(
          Object.entries(object).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : toJsonText(value)]),
        ).toString(),
        'form-encoded',
        'application/x-www-form-urlencoded',
      ),
    ),
    fc.constant(
      rawBody(`--fuzz\r\nContent-Disposition: form-data; name="body"\r\n\r\n${validText}\r\n--fuzz--\r\n`, 'multipart', 'multipart/form-data; boundary=fuzz'),
    ),
    fc
      .constantFrom('\xff\xfe', '\xc3\x28', '\xed\xa0\x80', '\xf0\x28\x8c\x28')
      .map((bytes) => rawBody(`{"${keys[0] ?? 'x'}":"${bytes}"}`, 'invalid-utf8', 'application/json', 'latin1')),
  );
  return fc.oneof(...choices);
}

/** The object's JSON text padded with a filler property to `size` bytes. */
function padded(object: Record<string, unknown>, size: number): string {
  const start = toJsonText({ ...object, pad: '' });
  return `${start.slice(0, -2)}${'x'.repeat(Math.max(0, size - start.length))}"}`;
}

/** Path segments for an id parameter that no route should take for an id. */
export const hostilePathSegment: fc.Arbitrary<string> = fc.constantFrom(
  '..',
  '../',
  '..%2f',
  '%2e%2e%2f',
  '%2e%2e',
  '%00',
  '1%00',
  '%0a',
  '0',
  '-1',
  '1.5',
  '1e3',
  '1'.repeat(25),
  '99999999999999999999',
  '18446744073709551616',
  '9223372036854775808',
  '%20',
  '%201',
  '%E2%80%AE1',
  '%F0%9F%9B%92',
  '\xf0\x9f\x9b\x92',
  '%ff',
  'null',
  'undefined',
  '{orderId}',
  ':orderId',
  '1;1',
  '1%3B1',
  '1?x=1',
  '1#x',
  '%2F',
  '',
  '9'.repeat(5000),
  "1'%20OR%20'1'='1",
);

/** Query strings: unknown, repeated, empty and out-of-range parameters, raw encodings. */
export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'unknown=1',
    'page=0',
    'page=-1',
    'page=1e3',
    'page=100000',
    'size=0',
    'size=101',
    'size=99999',
    'size=1&size=2',
    'page=',
    'page',
    '&&&',
    '=',
    'status=paid',
    'status=PAID&status=SHIPPED',
    'status[]=PAID',
    'status=%00',
    '__proto__=x',
    'constructor=x',
    '__proto__[admin]=1',
    'q=%ff',
    'q=' + 'a'.repeat(65),
    'q=' + '%F0%9F%9B%92'.repeat(65),
    'date=2026-02-30',
    'date=9999-99-99',
    'date=',
    'date=2026-01-01&date=2026-01-02',
    'date=%00',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).map((text) => `q=${encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, ''))}`),
);

/** Idempotency keys the header pattern (1-64 visible ASCII) refuses. */
export const hostileIdempotencyKey: fc.Arbitrary<string | string[]> = fc.constantFrom<string | string[]>(
  '',
  ' ',
  'with space',
  ' leading',
  'trailing ',
  'x'.repeat(65),
  'x'.repeat(500),
  'ключ',
  '🔑',
  'tab\there',
  ['same', 'twice'],
  ['a', 'b', 'c'],
);

/** Headers a front door must shrug off: odd trace contexts, accept types, a bogus x-forwarded-for. */
export const hostileExtraHeaders: fc.Arbitrary<Record<string, string | string[]>> = fc.constantFrom<Record<string, string | string[]>>(
  { traceparent: 'x'.repeat(500) },
  { traceparent: '🛒' },
  { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' },
  { traceparent: ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203332-01'] },
  { tracestate: '=,'.repeat(300) },
  { accept: 'text/html' },
  { accept: 'application/xml' },
  { 'accept-encoding': 'gzip, br, zstd' },
  { 'x-forwarded-for': '1.2.3.4, ::1' },
  { 'x-http-method-override': 'DELETE' },
  { 'content-encoding': 'gzip' },
  { 'transfer-encoding-fuzz': 'chunked' },
  { origin: 'http://evil.example' },
  { cookie: 'session=1; admin=true' },
  { 'x-user-id': '1' },
);
