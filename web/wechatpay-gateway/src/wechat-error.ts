/**
 * WeChat Pay's refusals: the HTTP status says the class of the failure, `code` the reason, and
 * `message` a text for people that may change at any time (merchants must branch on `code`
 * only). PARAM_ERROR and INVALID_REQUEST may carry `detail` naming the offending field.
 */

export interface ErrorDetail {
  /** A JSON pointer in the body ("/amount/total"), or the name of a query or path parameter. */
  field: string;
  value: unknown;
  issue: string;
  location: 'body' | 'query' | 'path' | 'header';
}

export class WechatError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: ErrorDetail,
  ) {
    super(message);
  }

  /** The answer's body: `{code, message}`, plus `detail` when there is one. */
  body(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.detail && { detail: this.detail }) };
  }
}

/** 400 PARAM_ERROR about one field, as WeChat words it. */
export function paramError(field: string, value: unknown, issue: string, location: ErrorDetail['location'] = 'body'): WechatError {
  return new WechatError(400, 'PARAM_ERROR', `参数错误: ${issue}`, { field, value: value ?? null, issue, location });
}

/** 500 SYSTEM_ERROR: nothing was done; the same call with the same parameters may be tried again. */
export function systemError(): WechatError {
  return new WechatError(500, 'SYSTEM_ERROR', '系统错误');
}
