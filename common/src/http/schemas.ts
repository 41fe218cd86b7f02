/** JSON schemas of request parts shared by the front doors' routes (strict: no extra fields; no coercion, see http-app.ts). */
export const idString = { type: 'string', pattern: '^[1-9][0-9]{0,19}$' } as const;
export const moneyString = { type: 'string', pattern: '^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$' } as const;
export const pageQuery = { type: 'string', pattern: '^([1-9][0-9]{0,3}|10000)$', description: '1 to 10000' } as const;
/** A day, YYYY-MM-DD (whether it exists is the service's check). */
export const calendarDate = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;

export function object(properties: Record<string, unknown>, required: string[] = Object.keys(properties)) {
  return { type: 'object', properties, required, additionalProperties: false } as const;
}

export const params = (name: string) => object({ [name]: idString });

/** An Idempotency-Key header: 1 to 64 visible ASCII characters. */
export const idempotencyHeaders = { type: 'object', properties: { 'idempotency-key': { type: 'string', pattern: '^[\\x21-\\x7e]{1,64}$' } } } as const;

/** The shape of every error answer. */
export const errorSchema = {
  type: 'object',
  properties: { code: { type: 'string', description: 'stable machine-readable code, e.g. INVALID_ARGUMENT' }, message: { type: 'string' } },
  required: ['code', 'message'],
} as const;

/**
 * The documentation parts of a route's schema (OpenAPI): its group, one line on what it does,
 * whether it needs a bearer token, and what it answers. The answer's schema also serializes it.
 */
export function documented(
  tag: string,
  summary: string,
  options: { auth?: boolean; status?: number; response?: object; description?: string; consumes?: string[] } = {},
) {
  return {
    tags: [tag],
    summary,
    ...(options.description ? { description: options.description } : {}),
    ...(options.consumes ? { consumes: options.consumes } : {}),
    ...(options.auth ? { security: [{ bearer: [] }] } : {}),
    response: { ...(options.response ? { [options.status ?? 200]: options.response } : {}), '4xx': errorSchema, '5xx': errorSchema },
  };
}

/**
 * The names of a ts-proto enum's values, as the JSON answers spell them (`xxxToJSON`), without
 * the proto3 zero value (`*_UNSPECIFIED`) and ts-proto's `UNRECOGNIZED`: a schema's `enum` stays
 * the contract's, never a hand-kept copy.
 */
export function protoEnumNames(protoEnum: Record<string, string | number>): string[] {
  return Object.keys(protoEnum).filter((name) => Number.isNaN(Number(name)) && !name.endsWith('_UNSPECIFIED') && name !== 'UNRECOGNIZED');
}
