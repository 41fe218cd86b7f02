/**
 * What the gateway answers to a /v3 call, built before it is sent so that a sandbox fault can
 * stand between building and sending (faults.ts). Answers to genuine merchant calls are signed,
 * business refusals included, as WeChat documents; refusals of a request's signature are not
 * (WeChat's 401s were seen to carry no Wechatpay-* header).
 */
import type { FastifyReply } from 'fastify';
import { newRequestId, type Signer } from './signer';
import type { WechatError } from './wechat-error';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A signed answer: the JSON of `payload` (none for 204), with Request-ID and the Wechatpay-* headers over its exact text. */
export function signedAnswer(signer: Signer, status: number, payload?: unknown): Answer {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  return { status, headers: { 'Content-Type': JSON_TYPE, 'Request-ID': newRequestId(), ...signer.headers(body) }, body };
}

/** A signed refusal of a genuine call: `{code, message[, detail]}` with WeChat's HTTP status. */
export function signedRefusal(signer: Signer, error: WechatError): Answer {
  return signedAnswer(signer, error.status, error.body());
}

/** An unsigned refusal (a request that is not the merchant's); `requestId` false where WeChat leaves Request-ID out. */
export function unsignedRefusal(error: WechatError, requestId = true): Answer {
  return {
    status: error.status,
    headers: { 'Content-Type': JSON_TYPE, ...(requestId && { 'Request-ID': newRequestId() }) },
    body: JSON.stringify(error.body()),
  };
}

export function send(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply
    .status(answer.status)
    .headers(answer.headers)
    .send(answer.status === 204 ? undefined : answer.body);
}
