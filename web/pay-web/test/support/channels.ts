/**
 * The two payment channels as the end-to-end specs drive them: the buyer paying at the local
 * gateway, the gateway's ledger (the money's truth) read back in one shape, and its faults. A
 * spec written against {@link ChannelDriver} runs for Alipay and for WeChat Pay alike.
 */
import assert from 'node:assert/strict';
import { formatCents } from '@shop/common/money';
import type { Reply } from '../../../order-web/test/support/shop-api';
import { GATEWAY, http, PAY_WEB, type NotifyMode } from './pay-api';

export const WECHAT_GATEWAY = `http://127.0.0.1:${process.env.WECHATPAY_GATEWAY_PORT ?? 7010}`;

export type ChannelName = 'ALIPAY_QR' | 'WECHAT_NATIVE';

/** A trade as its gateway's ledger holds it. */
export interface LedgerTrade {
  /** WAITING (a QR code, scanned or not), PAID (refunds or not), CLOSED. */
  state: 'WAITING' | 'PAID' | 'CLOSED';
  /** Yuan refunded, all refunds together (finished ones; WeChat's PROCESSING ones not yet). */
  refunded: string;
  /** refund id (out_request_no / out_refund_no) -> yuan. */
  refunds: Record<string, string>;
}

/** The APIs a fault can spoil, by what they do. */
export type ChannelApi = 'create' | 'query' | 'close' | 'refund' | 'refundQuery';

export interface ChannelDriver {
  channel: ChannelName;
  title: string;
  /** The buyer scans the QR code and pays; `delayed`: its notification's first attempt `delayMs` late. */
  pay(paymentId: string, notify?: NotifyMode, delayMs?: number): Promise<Reply>;
  /** The buyer scans the QR code without paying (an Alipay trade exists from then on; a WeChat order exists already). */
  scan(paymentId: string): Promise<void>;
  /** The attempts the gateway made to notify the trade's payment so far. */
  notificationsOf(paymentId: string): Promise<unknown[]>;
  /** How many calls of the API the queued faults will still spoil. */
  pendingFaults(api: ChannelApi): Promise<number>;
  trade(paymentId: string): Promise<LedgerTrade | undefined>;
  /** The next `count` calls of the API fail with a system error (not applied), lose their answer (applied), answer `delayMs` late, or none (after `delayMs`). */
  fail(api: ChannelApi, count?: number, mode?: 'error' | 'lose-answer' | 'delay' | 'timeout', delayMs?: number): Promise<void>;
  /** The next refund is refused for good with the channel's code for it (which the answer's reason names). */
  refuseRefund(): Promise<string>;
  /** Plants differences in the channel's bill of a China day (amounts in yuan). */
  tamperBill(date: string, change: { drop?: string[]; add?: { outTradeNo: string; amount: string }[]; amounts?: Record<string, string> }): Promise<void>;
  clearFaults(): Promise<void>;
}

const ALIPAY_METHOD: Record<ChannelApi, string> = {
  create: 'alipay.trade.precreate',
  query: 'alipay.trade.query',
  close: 'alipay.trade.close',
  refund: 'alipay.trade.refund',
  refundQuery: 'alipay.trade.fastpay.refund.query',
};

const WECHAT_API: Record<ChannelApi, string> = { create: 'native', query: 'query', close: 'close', refund: 'refund', refundQuery: 'refund-query' };

/** The calls a gateway's queued faults of one API will still spoil. */
async function queued(url: string, ofApi: (fault: { method?: string; api?: string }) => boolean): Promise<number> {
  const { faults } = (await http('GET', url)).body as { faults: { method?: string; api?: string; count: number }[] };
  return faults.filter(ofApi).reduce((total, fault) => total + fault.count, 0);
}

async function setFault(url: string, body: Record<string, unknown>): Promise<void> {
  const reply = await http('POST', url, { json: body });
  assert.ok(reply.status < 300, `fault not set: ${reply.status} ${JSON.stringify(reply.body)}`);
}

export const alipay: ChannelDriver = {
  channel: 'ALIPAY_QR',
  title: 'Alipay',
  pay: (paymentId, notify = 'normal', delayMs) =>
    http('POST', `${GATEWAY}/sandbox/trades/${paymentId}/pay`, { json: { notify, ...(delayMs !== undefined && { delayMs }) } }),
  async scan(paymentId) {
    assert.equal((await http('POST', `${GATEWAY}/sandbox/trades/${paymentId}/scan`)).status, 200);
  },
  notificationsOf: async (paymentId) => (await http('GET', `${GATEWAY}/sandbox/trades/${paymentId}`)).body.notifications as unknown[],
  pendingFaults: async (api) => queued(`${GATEWAY}/sandbox/faults`, (fault) => fault.method === ALIPAY_METHOD[api]),
  async trade(paymentId) {
    const reply = await http('GET', `${GATEWAY}/sandbox/trades/${paymentId}`);
    if (reply.status === 404) return undefined;
    const trade = reply.body as { status: string; refundedAmount: string; refunds: Record<string, string> };
    const state =
      trade.status === 'TRADE_CLOSED' && trade.refundedAmount === '0.00'
        ? 'CLOSED'
        : ['TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'].includes(trade.status)
          ? 'PAID'
          : 'WAITING';
    return { state, refunded: trade.refundedAmount, refunds: trade.refunds };
  },
  fail: (api, count = 1, mode = 'error', delayMs) =>
    setFault(`${GATEWAY}/sandbox/faults`, { method: ALIPAY_METHOD[api], mode, count, ...(delayMs !== undefined && { delayMs }) }),
  async refuseRefund() {
    await setFault(`${GATEWAY}/sandbox/faults`, {
      method: ALIPAY_METHOD.refund,
      mode: 'refuse',
      subCode: 'ACQ.TRADE_NOT_ALLOW_REFUND',
      subMsg: 'trade does not allow refund',
    });
    return 'ACQ.TRADE_NOT_ALLOW_REFUND';
  },
  clearFaults: async () => void (await http('DELETE', `${GATEWAY}/sandbox/faults`)),
  async tamperBill(date, change) {
    assert.equal((await http('POST', `${GATEWAY}/sandbox/bills/${date}/tamper`, { json: change })).status, 200);
  },
};

const yuan = (fen: number) => formatCents(BigInt(fen));

export const wechatPay: ChannelDriver = {
  channel: 'WECHAT_NATIVE',
  title: 'WeChat Pay',
  pay: (paymentId, notify = 'normal', delayMs) =>
    http('POST', `${WECHAT_GATEWAY}/sandbox/orders/${paymentId}/pay`, { json: { notify, ...(delayMs !== undefined && { delayMs }) } }),
  scan: async () => undefined,
  notificationsOf: async (paymentId) => (await http('GET', `${WECHAT_GATEWAY}/sandbox/orders/${paymentId}`)).body.notifications as unknown[],
  pendingFaults: async (api) => queued(`${WECHAT_GATEWAY}/sandbox/faults`, (fault) => fault.api === WECHAT_API[api]),
  async trade(paymentId) {
    const reply = await http('GET', `${WECHAT_GATEWAY}/sandbox/orders/${paymentId}`);
    if (reply.status === 404) return undefined;
    const order = reply.body as { tradeState: string; refunds: { outRefundNo: string; amount: number; status: string }[] };
    const state = order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND' ? 'PAID' : order.tradeState === 'NOTPAY' ? 'WAITING' : 'CLOSED';
    const done = order.refunds.filter((refund) => refund.status === 'SUCCESS');
    return {
      state,
      refunded: yuan(done.reduce((sum, refund) => sum + refund.amount, 0)),
      refunds: Object.fromEntries(done.map((refund) => [refund.outRefundNo, yuan(refund.amount)])),
    };
  },
  fail: (api, count = 1, mode = 'error', delayMs) =>
    setFault(`${WECHAT_GATEWAY}/sandbox/faults`, { api: WECHAT_API[api], mode, count, ...(delayMs !== undefined && { delayMs }) }),
  async refuseRefund() {
    await setFault(`${WECHAT_GATEWAY}/sandbox/faults`, {
      api: WECHAT_API.refund,
      mode: 'refuse',
      status: 403,
      code: 'USER_ACCOUNT_ABNORMAL',
      message: '退款请求失败',
    });
    return 'USER_ACCOUNT_ABNORMAL';
  },
  clearFaults: async () => void (await http('DELETE', `${WECHAT_GATEWAY}/sandbox/faults`)),
  async tamperBill(date, change) {
    // WeChat's bill speaks fen.
    const fen = (amount: string) => Math.round(Number(amount) * 100);
    const json = {
      ...(change.drop && { drop: change.drop }),
      ...(change.add && { add: change.add.map((row) => ({ outTradeNo: row.outTradeNo, amount: fen(row.amount) })) }),
      ...(change.amounts && { amounts: Object.fromEntries(Object.entries(change.amounts).map(([no, amount]) => [no, fen(amount)])) }),
    };
    assert.equal((await http('POST', `${WECHAT_GATEWAY}/sandbox/bills/${date}/tamper`, { json })).status, 200);
  },
};

export const CHANNELS: ChannelDriver[] = [alipay, wechatPay];

export const driverOf = (channel: ChannelName): ChannelDriver => (channel === 'ALIPAY_QR' ? alipay : wechatPay);

export const payThrough = (token: string, orderId: string, channel: ChannelName) =>
  http('POST', `${PAY_WEB}/api/v1/payments`, { token, json: { orderId, channel } });

export const channelsOf = (token: string, orderId: string) => http('GET', `${PAY_WEB}/api/v1/payments/channels?orderId=${orderId}`, { token });
