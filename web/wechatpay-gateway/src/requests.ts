/**
 * Decodes and validates the bodies and queries of the /v3 calls into the order book's inputs,
 * refusing what WeChat refuses: PARAM_ERROR (400) with a `detail` naming the field for a missing
 * or malformed one; APPID_MCHID_NOT_MATCH for an app the merchant is not bound to; INVALID_REQUEST
 * for another merchant's id in the body or query.
 */
import { fromRfc3339 } from './china-time';
import type { GatewayConfig } from './config';
import { BILL_TYPES, type BillType } from './bills';
import type { NativeOrderInput, RefundInput } from './orders';
import { paramError, WechatError } from './wechat-error';

type Json = Record<string, unknown>;

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/** The body as JSON, as WeChat reads it (an object, or PARAM_ERROR). */
export function jsonBody(body: string): Json {
  try {
    const json: unknown = JSON.parse(body);
    if (json && typeof json === 'object' && !Array.isArray(json)) return json as Json;
  } catch {
    // falls through to the refusal
  }
  throw paramError('/', body.slice(0, 64), 'the body is not a JSON object');
}

/** A JSON text with object keys sorted at every level: two requests that mean the same compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Json)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function string(
  json: Json,
  pointer: string,
  { required = true, max = 256, pattern }: { required?: boolean; max?: number; pattern?: RegExp } = {},
): string | undefined {
  const value = json[pointer.split('/').pop()!];
  if (value === undefined || value === null || value === '') {
    if (required) throw paramError(pointer, value, `${pointer.slice(1)} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || [...value].length > max || (pattern && !pattern.test(value)))
    throw paramError(pointer, value, `${pointer.slice(1)} is invalid`);
  return value;
}

function positiveInteger(json: Json, pointer: string): number {
  const value = json[pointer.split('/').pop()!];
  if (value === undefined || value === null) throw paramError(pointer, value, `${pointer.slice(1)} is required`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw paramError(pointer, value, `${pointer.slice(1)} must be a positive integer (fen)`);
  return value;
}

function object(json: Json, pointer: string): Json {
  const value = json[pointer.slice(1)];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw paramError(pointer, value, `${pointer.slice(1)} is required`);
  return value as Json;
}

/** The merchant id of a body or query: the caller's own (another merchant's orders are not its to see). */
export function requireOwnMchid(config: GatewayConfig, value: unknown, location: 'body' | 'query'): void {
  if (value === undefined || value === null || value === '') throw paramError(location === 'body' ? '/mchid' : 'mchid', value, 'mchid is required', location);
  if (value !== config.mchid) throw new WechatError(400, 'INVALID_REQUEST', '请求中的商户号与Authorization中的商户号不一致');
}

/** A notify_url WeChat would call: http(s), at most 255 characters, no query. Local hosts are allowed here, unlike at WeChat. */
function notifyUrl(json: Json, required: boolean): string | undefined {
  const url = string(json, '/notify_url', { required, max: 255 });
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.search)
    throw paramError('/notify_url', url, 'notify_url must be an http(s) URL without parameters');
  return url;
}

export function nativeOrderInput(config: GatewayConfig, json: Json): NativeOrderInput {
  const appid = string(json, '/appid', { max: 32 })!;
  requireOwnMchid(config, json.mchid, 'body');
  if (appid !== config.appid) throw new WechatError(400, 'APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配');
  const description = string(json, '/description', { max: 127 })!;
  const outTradeNo = string(json, '/out_trade_no', { pattern: OUT_TRADE_NO })!;
  const timeExpireText = string(json, '/time_expire', { required: false, max: 64 });
  const timeExpire = timeExpireText === undefined ? undefined : fromRfc3339(timeExpireText);
  if (timeExpireText !== undefined && !timeExpire) throw paramError('/time_expire', timeExpireText, 'time_expire must be RFC 3339 (yyyy-MM-DDTHH:mm:ss+08:00)');
  const attach = string(json, '/attach', { required: false, max: 128 });
  const amount = object(json, '/amount');
  const total = positiveInteger(amount, '/amount/total');
  if (amount.currency !== undefined && amount.currency !== 'CNY') throw paramError('/amount/currency', amount.currency, 'currency must be CNY');
  return { appid, mchid: config.mchid, description, outTradeNo, notifyUrl: notifyUrl(json, true)!, total, attach, timeExpire, fingerprint: canonical(json) };
}

export function refundInput(json: Json): RefundInput {
  const outTradeNo = string(json, '/out_trade_no', { required: false, pattern: OUT_TRADE_NO });
  const transactionId = string(json, '/transaction_id', { required: false, max: 32 });
  if (!outTradeNo && !transactionId) throw paramError('/out_trade_no', null, 'out_trade_no or transaction_id is required');
  const outRefundNo = string(json, '/out_refund_no', { pattern: OUT_REFUND_NO })!;
  const reason = string(json, '/reason', { required: false, max: 80 });
  const amount = object(json, '/amount');
  const refund = positiveInteger(amount, '/amount/refund');
  const total = positiveInteger(amount, '/amount/total');
  if (amount.currency !== 'CNY') throw paramError('/amount/currency', amount.currency, 'currency is required and must be CNY');
  return { outTradeNo, transactionId, outRefundNo, amount: refund, total, reason, notifyUrl: notifyUrl(json, false) };
}

export function billQuery(query: Record<string, string | undefined>): { date: string; type: BillType; gzip: boolean } {
  const date = query.bill_date;
  if (!date) throw paramError('bill_date', date, 'bill_date is required', 'query');
  const type = query.bill_type ?? 'ALL';
  if (!(BILL_TYPES as readonly string[]).includes(type)) throw paramError('bill_type', type, `bill_type must be one of ${BILL_TYPES.join(', ')}`, 'query');
  if (query.tar_type !== undefined && query.tar_type !== 'GZIP') throw paramError('tar_type', query.tar_type, 'tar_type must be GZIP', 'query');
  return { date, type: type as BillType, gzip: query.tar_type === 'GZIP' };
}
