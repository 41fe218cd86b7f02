/**
 * Generated requests. A plan is drawn by fast-check from the route's schemas: the valid parts of
 * the request (with symbolic ids), which kind of hostility to add, and the token. It becomes a
 * concrete request only when sent (`prepare`): the ids are resolved against the fixture as it
 * is then, and the hostile mutation is drawn from the plan's own seed against the concrete valid
 * request, so a run is replayed exactly by its seed.
 */
import fc from 'fast-check';
import { hostileBody, hostileExtraHeaders, hostileField, hostileIdempotencyKey, hostilePathSegment, hostileQuery, hostileValueFor } from './hostile';
import { headerBytes, type BodyPlan, type WireRequest } from './http';
import { toJsonText } from './json-text';
import type { JsonSchema, Route } from './openapi';
import { materialize, PoolRef, type PoolName, type Pools } from './pools';
import { arbitraryOf, type Hint } from './schema-arbitrary';
import { authorization, HOSTILE_TOKEN_KINDS, isValidTokenKind, type Credentials, type TokenKind } from './tokens';

export type Mode = 'valid' | 'field' | 'body' | 'path' | 'query' | 'header' | 'token';

export interface ValidParts {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  /** undefined: no body. */
  body: { value: unknown } | undefined;
}

export interface RequestPlan {
  route: Route;
  mode: Mode;
  token: TokenKind;
  /** Which fuzz customer calls (modulo their number). */
  caller: number;
  parts: ValidParts;
  /** Seed of the hostile mutation, drawn when the request is prepared. */
  seed: number;
}

export interface HintContext {
  /** Makes idempotency keys and generated names unique to the run. */
  runTag: string;
  usernames: string[];
  password: string;
}

const ref = (pool: PoolName, own: boolean, states: string[] = []) => fc.nat().map((pick) => new PoolRef(pool, pick, own, states));

/** The states worth aiming an order id at, per route: what lets the request go through. */
function orderStates(route: Route): string[] {
  if (route.path.endsWith('/refund')) return ['PAID'];
  if (route.path.endsWith('/after-sales') && route.method === 'POST') return ['COMPLETED', 'SHIPPED'];
  if (route.path.endsWith('/receipt')) return ['SHIPPED'];
  if (route.path.endsWith('/ship')) return ['PAID'];
  if (route.path === '/api/v1/payments') return ['CONFIRMED'];
  return [];
}

const farPastDate = fc
  .date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2001-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

/** Real ids and plausible values, by property or parameter name, for a route. */
export function hintsFor(route: Route, context: HintContext): Hint {
  const admin = route.admin;
  return (name: string, schema: JsonSchema) => {
    switch (name) {
      case 'goodsId':
        return ref('goods', false);
      case 'orderId':
        return fc.oneof({ weight: 6, arbitrary: ref('order', !admin, orderStates(route)) }, { weight: 1, arbitrary: ref('order', false) });
      case 'couponId':
        return ref('coupon', true, ['UNUSED']);
      case 'userId':
        // A ban of the fixture's customers would lock the run out of its own accounts (403
        // USER_BANNED on every later request): ban requests name users that do not exist.
        return route.path.endsWith('/ban') ? undefined : ref('user', false);
      case 'afterSalesId':
        return ref('afterSales', false, ['OPEN']);
      case 'paymentId':
        return ref('payment', true);
      case 'quantity':
        return fc.integer({ min: 1, max: 3 });
      case 'balance':
        return fc.constantFrom('0', '0.01', '1.00', '5.00', '20.00');
      case 'amount':
        return fc.constantFrom('0.01', '1.00', '5.00', '10.00');
      case 'username':
        return route.path.endsWith('/register')
          ? fc.oneof(fc.constantFrom(...context.usernames), fc.stringMatching(/^fz[a-z0-9]{6,12}$/))
          : fc.constantFrom(...context.usernames);
      case 'password':
        return fc.constantFrom(context.password, 'wrong-password');
      case 'idempotency-key':
        return fc.integer({ min: 1, max: 6 }).map((n) => `${context.runTag}-k${n}`);
      case 'date':
        return farPastDate;
      case 'page':
      case 'size':
        return schema.pattern ? fc.constantFrom('1', '2', '5', '20', '100') : undefined;
      default:
        return undefined;
    }
  };
}

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), arbitrary);

/** The parts of a request its schemas accept (with symbolic ids). */
export function validPartsArbitrary(route: Route, hint: Hint): fc.Arbitrary<ValidParts> {
  const of = (names: { name: string; required: boolean; schema: JsonSchema }[]) =>
    fc.record(
      Object.fromEntries(
        names.map((param) => [
          param.name,
          param.required ? arbitraryOf(param.schema, { hint, name: param.name }) : maybe(arbitraryOf(param.schema, { hint, name: param.name })),
        ]),
      ),
      {
        noNullPrototype: true,
      },
    );
  const path = of(route.params.filter((param) => param.in === 'path'));
  const query = of(route.params.filter((param) => param.in === 'query'));
  const headers = of(route.params.filter((param) => param.in === 'header'));
  const schema = route.body?.schema;
  const allowsNull = !!schema?.anyOf?.some((alternative) => alternative.type === 'null') || schema?.nullable === true;
  const body: fc.Arbitrary<ValidParts['body']> = schema
    ? allowsNull
      ? fc.oneof(
          fc.constant(undefined),
          arbitraryOf(schema, { hint }).map((value) => ({ value })),
        )
      : arbitraryOf(schema, { hint }).map((value) => ({ value }))
    : fc.constant(undefined);
  return fc.record({ path, query, headers, body });
}

/** A valid token for the route: an admin's on admin routes, mostly a customer's elsewhere. */
function validToken(route: Route): fc.Arbitrary<TokenKind> {
  if (route.admin) return fc.constantFrom<TokenKind>('admin', 'admin', 'real-admin');
  return fc.oneof({ weight: 6, arbitrary: fc.constant<TokenKind>('customer') }, { weight: 1, arbitrary: fc.constant<TokenKind>('admin') });
}

function hostileToken(route: Route): fc.Arbitrary<TokenKind> {
  const kinds = HOSTILE_TOKEN_KINDS.filter((kind) => kind !== 'customer-on-admin' || route.admin);
  return fc.constantFrom<TokenKind>(...kinds);
}

/**
 * Plans for a route: about half valid requests with a valid token (so that the handlers are
 * exercised, not only the gates), the rest hostile in one respect each.
 */
export function planArbitrary(route: Route, hint: Hint): fc.Arbitrary<RequestPlan> {
  const hasBody = !!route.body?.schema;
  const hasPath = route.params.some((param) => param.in === 'path');
  const hasQuery = route.params.some((param) => param.in === 'query') || route.method === 'GET';
  const modes: { weight: number; arbitrary: fc.Arbitrary<Mode> }[] = [
    { weight: 58, arbitrary: fc.constant<Mode>('valid') },
    { weight: hasBody ? 14 : 4, arbitrary: fc.constant<Mode>(hasBody ? 'field' : 'body') },
    { weight: 10, arbitrary: fc.constant<Mode>('body') },
    { weight: 5, arbitrary: fc.constant<Mode>('header') },
    { weight: 9, arbitrary: fc.constant<Mode>('token') },
    ...(hasPath ? [{ weight: 6, arbitrary: fc.constant<Mode>('path') }] : []),
    ...(hasQuery ? [{ weight: 5, arbitrary: fc.constant<Mode>('query') }] : []),
  ];
  return fc.oneof(...modes).chain((mode) =>
    fc.record({
      route: fc.constant(route),
      mode: fc.constant(mode),
      token: mode === 'token' ? hostileToken(route) : validToken(route),
      caller: fc.nat(),
      parts: validPartsArbitrary(route, hint),
      seed: fc.integer(),
    }),
  );
}

/** One value of an arbitrary for a seed: how mutations are drawn at send time, replayably. */
export const drawn = <T>(arbitrary: fc.Arbitrary<T>, seed: number): T => fc.sample(arbitrary, { seed, numRuns: 1 })[0]!;

export interface Prepared {
  wire: WireRequest;
  /** The mode and what exactly was hostile. */
  label: string;
  /** The user the token acts as, when it is valid. */
  actsAs?: string;
  validToken: boolean;
  /** The concrete valid body, before any mutation (what probes look at). */
  validBody?: unknown;
  /** The concrete path parameters (after any mutation). */
  pathValues: Record<string, string>;
}

export function prepare(plan: RequestPlan, pools: Pools, credentials: Credentials): Prepared {
  const { route, mode } = plan;
  const auth = authorization(plan.token, credentials, plan.caller);
  const concrete = materialize(plan.parts, (poolRef) => pools.resolve(poolRef, auth.actsAs)) as ValidParts;
  const path: Record<string, { text: string; raw: boolean }> = Object.fromEntries(
    Object.entries(concrete.path).map(([name, value]) => [name, { text: String(value), raw: false }]),
  );
  const query: [string, string][] = Object.entries(concrete.query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [name, String(value)]);
  let rawQuery: string | undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(concrete.headers)) if (value !== undefined) headers[name] = String(value);
  let body: BodyPlan = concrete.body ? { kind: 'json', value: concrete.body.value } : { kind: 'none' };
  let label: string = mode;

  switch (mode) {
    case 'field':
    case 'body': {
      const valid = concrete.body?.value ?? {};
      const mutation = (mode === 'field' ? hostileField(valid, route.body?.schema) : undefined) ?? hostileBody(valid, route.body?.schema);
      const drawnBody = drawn(mutation, plan.seed);
      body = drawnBody.body;
      label = `${mode}:${drawnBody.label}`;
      break;
    }
    case 'path': {
      const names = Object.keys(path);
      const [index, segment] = drawn(fc.tuple(fc.nat(), hostilePathSegment), plan.seed);
      const name = names[index % names.length]!;
      path[name] = { text: segment, raw: true };
      label = `path:${name}=${segment.slice(0, 40)}`;
      break;
    }
    case 'query': {
      const params = route.params.filter((param) => param.in === 'query');
      const [replace, index, extra] = drawn(fc.tuple(fc.boolean(), fc.nat(), hostileQuery), plan.seed);
      const param = params[index % Math.max(1, params.length)];
      if (replace && param) {
        const value = drawn(hostileValueFor(param.schema), plan.seed + 1);
        const text = typeof value === 'string' ? value : toJsonText(value);
        const others = query.filter(([name]) => name !== param.name);
        query.splice(0, query.length, ...others, [param.name, text]);
        label = `query:${param.name}=${text.slice(0, 40)}`;
      } else {
        rawQuery = extra;
        label = `query:${extra.slice(0, 40)}`;
      }
      break;
    }
    case 'header': {
      const [idempotency, key, extra] = drawn(fc.tuple(fc.boolean(), hostileIdempotencyKey, hostileExtraHeaders), plan.seed);
      if (idempotency) {
        headers['idempotency-key'] = key;
        label = `header:idempotency-key=${JSON.stringify(key).slice(0, 40)}`;
      } else {
        Object.assign(headers, extra);
        label = `header:${Object.keys(extra).join(',')}`;
      }
      break;
    }
    case 'token':
      label = `token:${plan.token}`;
      break;
    case 'valid':
      break;
  }

  const pathText = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = path[name];
    return value ? (value.raw ? value.text : encodeURIComponent(value.text)) : '';
  });
  const queryText = [
    ...query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))}`),
    ...(rawQuery ? [rawQuery] : []),
  ].join('&');
  const wireHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) wireHeaders[name] = Array.isArray(value) ? value.map(headerBytes) : headerBytes(value);
  if (auth.header !== undefined) wireHeaders.authorization = headerBytes(auth.header);
  return {
    wire: { method: route.method, path: queryText ? `${pathText}?${queryText}` : pathText, headers: wireHeaders, body },
    label,
    actsAs: isValidTokenKind(plan.token) ? auth.actsAs : undefined,
    validToken: isValidTokenKind(plan.token) || (plan.token === 'customer-on-admin' && !route.admin),
    validBody: concrete.body?.value,
    pathValues: Object.fromEntries(Object.entries(path).map(([name, value]) => [name, value.text])),
  };
}
