/**
 * The routes to fuzz, read from the running front doors' own OpenAPI documents (GET /docs/json):
 * the schemas there are the very ones fastify validates requests with, so a request generated
 * from them is one the front door must accept as well formed.
 */
import { callJson } from './http';

/** The front doors, in the order a run fuzzes them. */
export const DOORS = ['order-web', 'pay-web'] as const;
export type Door = (typeof DOORS)[number];

/** The subset of JSON Schema (draft 7, OpenAPI 3.0 flavour) the front doors use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  description?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Route {
  door: Door;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** OpenAPI template: /api/v1/orders/{orderId} */
  path: string;
  params: Parameter[];
  /** Present when the route documents a request body. */
  body?: { contentTypes: string[]; schema?: JsonSchema };
  /** Needs a bearer token (`security` in the document). */
  secured: boolean;
  /** Needs an admin's token (the `admin` tag, or an /admin/ path). */
  admin: boolean;
  /**
   * Documents no JSON success answer: Alipay's notify endpoint answers the bare text success or
   * failure, as Alipay requires.
   */
  textAnswer: boolean;
}

interface OperationObject {
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * Routes that end the caller's sessions (sign-out, password change): sent with the fixture's
 * valid tokens, they would end the very sessions the fixture keeps working with, midway through
 * the run. They are proved by web/order-web/test/sessions.e2e.spec.ts instead.
 */
const SESSION_ENDING = new Set(['/api/v1/auth/logout', '/api/v1/me/password']);

/** Operations, docs, static files: not part of the API under test; nor the routes that end sessions. */
export function isFuzzedPath(path: string): boolean {
  return path.startsWith('/api/') && !SESSION_ENDING.has(path);
}

export function routesOf(door: Door, document: OpenApiDocument): Route[] {
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!isFuzzedPath(path)) continue;
    for (const [verb, operation] of Object.entries(operations)) {
      const method = verb.toUpperCase();
      if (!METHODS.has(method)) continue;
      const params: Parameter[] = (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'path' || parameter.in === 'query' || parameter.in === 'header')
        .map((parameter) => ({
          name: parameter.name,
          in: parameter.in as Parameter['in'],
          required: parameter.required === true || parameter.in === 'path',
          schema: parameter.schema ?? {},
        }));
      const content = operation.requestBody?.content;
      const contentTypes = content ? Object.keys(content) : [];
      routes.push({
        door,
        method: method as Route['method'],
        path,
        params,
        ...(content && { body: { contentTypes, schema: content['application/json']?.schema ?? content[contentTypes[0] ?? '']?.schema } }),
        secured: (operation.security?.length ?? 0) > 0,
        admin: (operation.tags ?? []).includes('admin') || path.includes('/admin/'),
        textAnswer: !Object.entries(operation.responses ?? {}).some(
          ([status, response]) => status.startsWith('2') && response.content?.['application/json'] !== undefined,
        ),
      });
    }
  }
  return routes;
}

export async function loadRoutes(door: Door, baseUrl: string): Promise<Route[]> {
  const reply = await callJson<OpenApiDocument>(baseUrl, 'GET', '/docs/json', { timeoutMs: 10_000 });
  if (reply.status !== 200) throw new Error(`${door}: GET /docs/json answered ${reply.status}`);
  const routes = routesOf(door, reply.body);
  if (routes.length === 0) throw new Error(`${door}: the OpenAPI document lists no /api route`);
  return routes;
}

/** `POST /api/v1/orders/{orderId}/cancel`: how routes are named in reports. */
export const routeName = (route: Route) => `${route.method} ${route.path}`;
