/**
 * A small client of the running pay-web and of the local Alipay gateway's control API, for the
 * end-to-end specs of payments and refunds.
 */
import assert from 'node:assert/strict';
import type { Reply } from '../../../order-web/test/support/shop-api';

export const PAY_WEB = `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`;
export const GATEWAY = `http://127.0.0.1:${process.env.ALIPAY_GATEWAY_PORT ?? 7009}`;

// Replies are JSON of many shapes that the specs check field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export async function http(
  method: string,
  url: string,
  options: { token?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text answers (Alipay notifications) stay text
  }
  return { status: response.status, body: parsed };
}

export const createPayment = (token: string, orderId: string) => http('POST', `${PAY_WEB}/api/v1/payments`, { token, json: { orderId, channel: 'ALIPAY_QR' } });

/** A payment created (201) for the order; its id. */
export async function paymentOf(token: string, orderId: string): Promise<string> {
  const created = await createPayment(token, orderId);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.paymentId as string;
}

export type NotifyMode = 'normal' | 'none' | 'duplicate' | 'delayed';

/** The buyer scans the QR code and pays at the gateway. */
export const buyerPays = (paymentId: string, notify: NotifyMode = 'normal', delayMs?: number) =>
  http('POST', `${GATEWAY}/sandbox/trades/${paymentId}/pay`, { json: { notify, ...(delayMs !== undefined && { delayMs }) } });

export const buyerScans = (paymentId: string) => http('POST', `${GATEWAY}/sandbox/trades/${paymentId}/scan`);

/** The trade as the gateway (the money's truth) sees it. */
export const trade = async (paymentId: string): Promise<Json> => (await http('GET', `${GATEWAY}/sandbox/trades/${paymentId}`)).body;

export type FaultMode = 'error' | 'refuse' | 'timeout' | 'lose-answer' | 'delay';

/** Makes the gateway misbehave for the next `count` calls of `method`. */
export async function gatewayFault(
  method: string,
  mode: FaultMode,
  options: { count?: number; delayMs?: number; subCode?: string; subMsg?: string } = {},
): Promise<void> {
  const reply = await http('POST', `${GATEWAY}/sandbox/faults`, { json: { method, mode, ...options } });
  assert.ok(reply.status < 300, `fault not set: ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** How many calls of `method` the gateway's queued faults will still spoil. */
export async function pendingFaults(method: string): Promise<number> {
  const { faults } = (await http('GET', `${GATEWAY}/sandbox/faults`)).body as { faults: { method: string; count: number }[] };
  return faults.filter((fault) => fault.method === method).reduce((total, fault) => total + fault.count, 0);
}

export async function clearGatewayFaults(): Promise<void> {
  await http('DELETE', `${GATEWAY}/sandbox/faults`);
}

export const refund = (token: string, orderId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  http('POST', `${PAY_WEB}/api/v1/orders/${orderId}/refund`, { token, json: body, headers });

export const refundsOf = async (token: string, orderId: string): Promise<Json[]> =>
  (await http('GET', `${PAY_WEB}/api/v1/orders/${orderId}/refunds`, { token })).body.items;

/** The refunds the gateway made for a trade: out_request_no -> amount. */
export const refundsAtGateway = async (paymentId: string): Promise<Record<string, string>> => (await trade(paymentId)).refunds ?? {};
