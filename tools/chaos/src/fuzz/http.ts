/**
 * The fuzzers' HTTP client, on node:http rather than fetch: fetch normalises paths (`../` is
 * resolved before it leaves), refuses some header values, and always adds a content type to a
 * string body, and a fuzzer must send exactly the bytes it means. No keep-alive: a connection
 * the server closed after a refused request must not show up as a reset of the next one.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { FAULT_HEADER } from '@shop/contracts';
import { toJsonText } from './json-text';

export type BodyPlan =
  | { kind: 'none' }
  /** A value of the json-text model, sent as JSON text (content type application/json unless given). */
  | { kind: 'json'; value: unknown; contentType?: string | null }
  /** Bytes as they are: `latin1` text carries arbitrary bytes (invalid UTF-8 included). */
  | { kind: 'raw'; text: string; encoding: 'utf8' | 'latin1'; contentType: string | null };

export interface WireRequest {
  method: string;
  /** Path and query string, exactly as they go on the request line. */
  path: string;
  /** Header values in latin1 (UTF-8 bytes of unicode text are spelled out as latin1 characters). */
  headers: Record<string, string | string[]>;
  body: BodyPlan;
}

export interface Answer {
  /** 0 when no answer came (see `failure`). */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  ms: number;
  /** timeout, reset, refused...: the transport failed. */
  failure?: string;
}

/** The body's bytes and the content type to send with them (null: no content-type header). */
export function encodeBody(body: BodyPlan): { bytes?: Buffer; contentType: string | null } {
  switch (body.kind) {
    case 'none':
      return { contentType: null };
    case 'json':
      return { bytes: Buffer.from(toJsonText(body.value), 'utf8'), contentType: body.contentType === undefined ? 'application/json' : body.contentType };
    case 'raw':
      return { bytes: Buffer.from(body.text, body.encoding), contentType: body.contentType };
  }
}

/** A header value as the bytes of its UTF-8 encoding, which node:http accepts (latin1 range). */
export const headerBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/**
 * Every request this process sends, fixture and checks included, against an optional ceiling
 * (FUZZ_MAX_HTTP): a run on a shared system must stay within what it was allowed to send.
 */
export const traffic = { sent: 0, limit: Number.POSITIVE_INFINITY };

export async function send(baseUrl: string, wire: WireRequest, timeoutMs: number): Promise<Answer> {
  if (traffic.sent >= traffic.limit) throw new Error(`request budget of ${traffic.limit} HTTP requests spent (FUZZ_MAX_HTTP)`);
  traffic.sent++;
  const base = new URL(baseUrl);
  const { bytes, contentType } = encodeBody(wire.body);
  const headers: Record<string, string | string[]> = { ...wire.headers };
  // Test-only fault injection must never be triggered by the fuzzer: it would make 5xx on purpose.
  for (const name of Object.keys(headers)) if (name.toLowerCase() === FAULT_HEADER) delete headers[name];
  if (contentType !== null) headers['content-type'] = contentType;
  if (bytes) headers['content-length'] = String(bytes.length);
  const started = performance.now();
  return new Promise<Answer>((resolve) => {
    let settled = false;
    const finish = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, ms: Math.round(performance.now() - started) });
    };
    let request: ReturnType<typeof httpRequest>;
    try {
      request = httpRequest({ host: base.hostname, port: base.port, method: wire.method, path: wire.path, headers, agent: false, setHost: true });
    } catch (error) {
      // node:http refused to write the request (a header it will not send): not the server's doing.
      finish({ status: 0, headers: {}, text: '', failure: `client refused: ${(error as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      finish({ status: 0, headers: {}, text: '', failure: `timeout after ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        finish({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        finish({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          failure: `answer cut: ${error.message}`,
        });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      finish({ status: 0, headers: {}, text: '', failure: `${error.code ?? 'error'}: ${error.message}` });
    });
    request.end(bytes);
  });
}

/** JSON helper for the fixture and the checks (not for fuzzing): status and parsed body. */
export async function callJson<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const answer = await send(
    baseUrl,
    { method, path, headers, body: options.json === undefined ? { kind: 'none' } : { kind: 'json', value: options.json } },
    options.timeoutMs ?? 30_000,
  );
  if (answer.failure) throw new Error(`${method} ${baseUrl}${path}: ${answer.failure}`);
  let body: unknown = answer.text;
  try {
    body = answer.text ? JSON.parse(answer.text) : undefined;
  } catch {
    // a text answer stays text
  }
  return { status: answer.status, body: body as T };
}
