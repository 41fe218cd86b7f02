/**
 * Tells a merchant's genuine call from anything else, as WeChat Pay does before it looks at the
 * request: the `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",signature="..",
 * timestamp="..",serial_no=".."` header (parameters in any order), a timestamp within five
 * minutes of WeChat's clock (checked before the signature), the merchant's id, the serial of
 * its API certificate, and the signature over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`.
 * Every failure is 401 SIGN_ERROR; the messages are the ones WeChat was seen answering (they
 * differ between the transaction APIs and the others). The certificate and refund APIs first
 * want Accept and User-Agent headers (400 INVALID_REQUEST), as WeChat was seen to.
 */
import type { KeyObject } from 'node:crypto';
import { requestMessage, rsaVerify } from './wechat-crypto';
import { WechatError } from './wechat-error';

const SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const PARAMETERS = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const;
const MAX_CLOCK_OFFSET_SECONDS = 300;

export interface MerchantIdentity {
  mchid: string;
  merchantSerial: string;
  merchantPublicKey: KeyObject;
}

/** What authentication reads of a request: the exact URL and body bytes as received. */
export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const header = (request: SignedRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The Authorization header's parameters, or undefined when it is not WeChat's scheme or lacks one. */
export function parseAuthorization(value: string | undefined): Record<(typeof PARAMETERS)[number], string> | undefined {
  if (!value?.startsWith(`${SCHEME} `)) return undefined;
  const fields: Record<string, string> = {};
  for (const part of value.slice(SCHEME.length + 1).split(',')) {
    const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!match) return undefined;
    fields[match[1]!] = match[2]!;
  }
  return PARAMETERS.every((name) => fields[name]) ? (fields as Record<(typeof PARAMETERS)[number], string>) : undefined;
}

/** Whether WeChat answers this path without a Request-ID when refusing its signature (seen on the transaction APIs). */
export function isTransactionPath(url: string): boolean {
  return url.startsWith('/v3/pay/transactions/');
}

/** undefined for a genuine call of the merchant; the refusal otherwise. */
export function authenticate(merchant: MerchantIdentity, request: SignedRequest, nowSeconds = Math.floor(Date.now() / 1000)): WechatError | undefined {
  if (/^\/v3\/(certificates|refund\/)/.test(request.url) && (!header(request, 'accept') || !header(request, 'user-agent'))) {
    return new WechatError(400, 'INVALID_REQUEST', 'Http头缺少Accept或User-Agent');
  }
  const signError = (message: string) => new WechatError(401, 'SIGN_ERROR', message);
  const authorization = parseAuthorization(header(request, 'authorization'));
  if (!authorization) {
    return signError(isTransactionPath(request.url) ? '签名信息错误，验签失败' : 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
  }
  const { mchid, nonce_str, signature, timestamp, serial_no } = authorization;
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > MAX_CLOCK_OFFSET_SECONDS) {
    return signError('Http头Authorization中的timestamp与发起请求的时间不得超过5分钟');
  }
  // Another merchant's id: WeChat checks the signature with that merchant's certificate, which fails.
  if (mchid !== merchant.mchid) return signError('签名错误');
  if (serial_no.toUpperCase() !== merchant.merchantSerial) return signError('商户证书序列号有误');
  const message = requestMessage(request.method, request.url, timestamp, nonce_str, request.body);
  if (!rsaVerify(message, signature, merchant.merchantPublicKey)) return signError('签名错误');
  return undefined;
}
