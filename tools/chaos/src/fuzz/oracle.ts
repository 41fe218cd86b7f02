/**
 * What an answer must look like, and what it says about the request: never a 5xx, a dropped
 * connection or a hang; errors as JSON `{code, message}` with a code of the shared table and the
 * HTTP status that table gives it; and whether the request got past the front door's gates
 * (body parsing, schema validation, authentication) to its handler.
 */
import { ERROR_MAPPING, ErrorCode } from '@shop/common/errors';
import type { Answer } from './http';

export interface Verdict {
  /** A failure of the oracle (5xx, transport failure, malformed answer): why. */
  failure?: string;
  /** The answer's error code, if it is a well-formed error. */
  code?: string;
  /** 2xx: the API accepted the request. */
  accepted: boolean;
  /** Which gate refused it (schema, json, auth, size, content-type, route), if one did. */
  gate?: Gate;
}

export type Gate = 'schema' | 'json' | 'auth' | 'forbidden' | 'size' | 'content-type' | 'route' | 'http-parser';

const CODES = new Set<string>(Object.values(ErrorCode));

/** fastify's own refusals (body parsing): answered with INVALID_ARGUMENT by the error handler. */
const PARSER_MESSAGE =
  /JSON|[Bb]ody|content-type|Content-Type|prototype|Unexpected|Unsupported|[Mm]edia [Tt]ype|[Pp]ayload|Unterminated|position \d+|Bad control character|is not valid|Expected/;

/** ajv's messages as the error handler spells them: `body/items/0/quantity must be <= 999`. */
const VALIDATION_MESSAGE = /^(body|params|querystring|headers)([/ .]|$)/;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The verdict on an answer of a JSON route. `secured`: the route checks a bearer token before
 * its handler (elsewhere a 401 is the handler's own answer, a wrong password).
 */
export function judge(answer: Answer, secured = true): Verdict {
  if (answer.failure) return { failure: `no answer: ${answer.failure}`, accepted: false };
  const { status } = answer;
  if (status >= 500) return { failure: `HTTP ${status}`, accepted: false, code: errorCode(answer) };
  if (status >= 200 && status < 300) {
    if (answer.text !== '' && parseJson(answer.text) === undefined) return { failure: `HTTP ${status} with a body that is not JSON`, accepted: true };
    return { accepted: true };
  }
  // Node's HTTP parser refuses some requests before any application code (an empty 400/414/431
  // with `connection: close`): not the API's answer, but not a failure either.
  if (answer.text === '' && [400, 413, 414, 431].includes(status)) return { accepted: false, gate: 'http-parser' };
  const body = parseJson(answer.text) as { code?: unknown; message?: unknown } | undefined;
  const contentType = String(answer.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/json') || typeof body !== 'object' || body === null)
    return { failure: `HTTP ${status} error answer is not JSON: ${answer.text.slice(0, 120)}`, accepted: false };
  if (typeof body.code !== 'string' || typeof body.message !== 'string')
    return { failure: `HTTP ${status} error answer is not {code, message}: ${answer.text.slice(0, 120)}`, accepted: false };
  if (!CODES.has(body.code)) return { failure: `HTTP ${status} with an unknown code ${body.code}`, accepted: false, code: body.code };
  const expected = ERROR_MAPPING[body.code as ErrorCode].http;
  // fastify's own 4xx (415, a 404 of an unknown method...) keep their status under INVALID_ARGUMENT.
  if (expected !== status && !(body.code === ErrorCode.INVALID_ARGUMENT && status >= 400 && status < 500)) {
    return { failure: `HTTP ${status} with code ${body.code}, which the error table maps to ${expected}`, accepted: false, code: body.code };
  }
  return { accepted: false, code: body.code, gate: gateOf(status, body.code, body.message, secured) };
}

function errorCode(answer: Answer): string | undefined {
  const body = parseJson(answer.text) as { code?: unknown } | undefined;
  return typeof body?.code === 'string' ? body.code : undefined;
}

function gateOf(status: number, code: string, message: string, secured: boolean): Gate | undefined {
  if (status === 401 && secured) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 413) return 'size';
  if (status === 415) return 'content-type';
  if (status === 404 && message.startsWith('no route')) return 'route';
  if (status === 400 && code === ErrorCode.INVALID_ARGUMENT) {
    if (VALIDATION_MESSAGE.test(message)) return 'schema';
    if (PARSER_MESSAGE.test(message)) return 'json';
  }
  return undefined;
}

/** The verdict on an answer of Alipay's notify endpoint: HTTP 200 and the bare text success or failure. */
/**
 * WeChat Pay's notify endpoint answers as WeChat Pay requires: 204 (or 200) once applied, and a
 * 4xx with `{"code": "FAIL", "message"}` for anything it does not accept (WeChat's code, not the
 * shop's table). Refused before the handler (413, 415): judged like any error.
 */
export function judgeWechatNotify(answer: Answer): Verdict {
  if (answer.failure) return { failure: `no answer: ${answer.failure}`, accepted: false };
  if (answer.status >= 500) return { failure: `HTTP ${answer.status}: ${answer.text.slice(0, 120)}`, accepted: false };
  if (answer.status === 204 || answer.status === 200) return { accepted: true };
  const body = parseJson(answer.text) as { code?: unknown; message?: unknown } | undefined;
  if (answer.status === 400 && body?.code === 'FAIL' && typeof body.message === 'string') return { accepted: false, code: 'FAIL' };
  return judge(answer);
}

export function judgeNotify(answer: Answer): Verdict & { reply?: 'success' | 'failure' } {
  if (answer.failure) return { failure: `no answer: ${answer.failure}`, accepted: false };
  if (answer.status >= 500) return { failure: `HTTP ${answer.status}: ${answer.text.slice(0, 120)}`, accepted: false };
  if (answer.status === 200) {
    const reply = answer.text.trim();
    if (reply === 'success' || reply === 'failure') return { accepted: reply === 'success', reply };
    return { failure: `HTTP 200 with ${JSON.stringify(answer.text.slice(0, 60))}, neither success nor failure`, accepted: false };
  }
  // Refused before the handler (413 for a form over the limit, 415 for a content type it does not parse): judged like any error.
  return judge(answer);
}
