/** The WeChat Pay API v3 endpoints the emulator implements; `api` also names them for sandbox faults. */

export const V3_ROUTES = [
  { api: 'native', method: 'POST', url: '/v3/pay/transactions/native' },
  { api: 'query', method: 'GET', url: '/v3/pay/transactions/out-trade-no/:outTradeNo' },
  { api: 'query-by-id', method: 'GET', url: '/v3/pay/transactions/id/:transactionId' },
  { api: 'close', method: 'POST', url: '/v3/pay/transactions/out-trade-no/:outTradeNo/close' },
  { api: 'refund', method: 'POST', url: '/v3/refund/domestic/refunds' },
  { api: 'refund-query', method: 'GET', url: '/v3/refund/domestic/refunds/:outRefundNo' },
  { api: 'tradebill', method: 'GET', url: '/v3/bill/tradebill' },
  { api: 'billdownload', method: 'GET', url: '/v3/billdownload/file' },
  { api: 'certificates', method: 'GET', url: '/v3/certificates' },
] as const;

export type V3Api = (typeof V3_ROUTES)[number]['api'];
export const V3_APIS: readonly V3Api[] = V3_ROUTES.map((route) => route.api);

const patterns = V3_ROUTES.map((route) => ({ ...route, pattern: new RegExp(`^${route.url.replace(/:[a-zA-Z]+/g, '[^/]+')}$`) }));

/** Whether a /v3 path that no route took exists under another method (WeChat: 405) or not at all (404). */
export function existsUnderAnotherMethod(path: string): boolean {
  return patterns.some((route) => route.pattern.test(path));
}
