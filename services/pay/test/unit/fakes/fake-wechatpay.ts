/**
 * WeChat Pay Native as the pay domain sees it (a PaymentChannel), in memory, behaving as WeChat
 * Pay (and the local emulator, web/wechatpay-gateway) does where it differs from Alipay: an order
 * exists from its creation (NOTPAY until paid), a refund answers PROCESSING and finishes later
 * (SUCCESS, or ABNORMAL when the buyer's account cannot take it), a repeated refund number answers
 * the same refund. Notifications are tokens the fake itself issued (the signature and decryption
 * are the real channel's, tested against the gateway in test/wechatpay-client.spec.ts).
 *
 * Faults, one call each: 'down' (thrown before WeChat saw it) or a refusal code (SYSTEM_ERROR...).
 */
import { formatCents, parseCents } from '@shop/common/money';
import { ChannelRefusal, type ChannelNotice, type ChannelRefundState, type PaymentChannel, type RawNotification } from '../../../src/domain/ports';

interface WechatOrder {
  outTradeNo: string;
  amount: string;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED';
  transactionId: string;
  refunds: Map<string, { amount: string; status: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' }>;
}

type Method = 'createQr' | 'query' | 'close' | 'refund' | 'refundQuery' | 'paidOnDay';

const RETRYABLE = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'NOT_ENOUGH']);

export class FakeWechatPay implements PaymentChannel {
  readonly name = 'WECHAT_NATIVE' as const;
  readonly title = 'WeChat Pay';
  readonly orders = new Map<string, WechatOrder>();
  readonly calls: string[] = [];
  private readonly faults = new Map<Method, ('down' | string)[]>();
  private readonly issued = new Map<string, ChannelNotice>();
  private sequence = 0;

  fail(method: Method, ...faults: ('down' | string)[]): this {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...faults]);
    return this;
  }

  callsOf(method: Method): string[] {
    return this.calls.filter((call) => call.startsWith(`${method} `));
  }

  /** The buyer pays the order in WeChat. */
  pay(outTradeNo: string): WechatOrder {
    const order = this.orders.get(outTradeNo);
    if (order?.state !== 'NOTPAY') throw new Error(`WeChat order ${outTradeNo} is ${order?.state ?? 'unknown'}`);
    order.state = 'SUCCESS';
    return order;
  }

  /** WeChat finishes the refunds it was processing (SUCCESS, or ABNORMAL). */
  finishRefunds(status: 'SUCCESS' | 'ABNORMAL' = 'SUCCESS'): void {
    for (const order of this.orders.values()) for (const refund of order.refunds.values()) if (refund.status === 'PROCESSING') refund.status = status;
  }

  refundedOf(outTradeNo: string): string {
    const refunds = [...(this.orders.get(outTradeNo)?.refunds.values() ?? [])].filter((refund) => refund.status === 'SUCCESS');
    return formatCents(refunds.reduce((sum, refund) => sum + parseCents(refund.amount)!, 0n));
  }

  /** A verified notification as WeChat would send it: of the paid order, or of a refund. */
  notification(notice: ChannelNotice): RawNotification {
    const token = `wx-notice-${++this.sequence}`;
    this.issued.set(token, notice);
    return { headers: { 'wechatpay-signature': token }, body: '{}' };
  }

  paidNotice(outTradeNo: string): ChannelNotice {
    const order = this.orders.get(outTradeNo)!;
    return { kind: 'PAID', noticeId: `n-${outTradeNo}`, outTradeNo, amount: order.amount, tradeNo: order.transactionId };
  }

  readNotification(raw: RawNotification): ChannelNotice | undefined {
    return 'headers' in raw ? this.issued.get(raw.headers['wechatpay-signature'] ?? '') : undefined;
  }

  createQr(input: { outTradeNo: string; amount: string }) {
    return this.call('createQr', input.outTradeNo, () => {
      const existing = this.orders.get(input.outTradeNo);
      if (existing?.state === 'SUCCESS') return new ChannelRefusal('FINAL', 'ORDERPAID', '订单已支付');
      if (existing?.state === 'CLOSED') return new ChannelRefusal('FINAL', 'ORDER_CLOSED', '订单已关闭');
      if (!existing) this.orders.set(input.outTradeNo, { ...input, state: 'NOTPAY', transactionId: `4200${++this.sequence}`, refunds: new Map() });
      return { qrCode: `weixin://wxpay/bizpayurl?pr=${input.outTradeNo}` };
    });
  }

  query(outTradeNo: string) {
    return this.call('query', outTradeNo, () => {
      const order = this.orders.get(outTradeNo);
      if (!order) return new ChannelRefusal('NOT_FOUND', 'ORDER_NOT_EXIST', '订单不存在');
      if (order.state === 'SUCCESS') return { state: 'PAID' as const, amount: order.amount, tradeNo: order.transactionId };
      return order.state === 'CLOSED' ? { state: 'CLOSED' as const } : { state: 'WAITING' as const };
    });
  }

  close(outTradeNo: string) {
    return this.call('close', outTradeNo, () => {
      const order = this.orders.get(outTradeNo);
      if (!order) return new ChannelRefusal('NOT_FOUND', 'ORDER_NOT_EXIST', '订单不存在');
      if (order.state === 'SUCCESS') return new ChannelRefusal('FINAL', 'ORDERPAID', '订单已支付');
      order.state = 'CLOSED';
      return { closed: true as const };
    });
  }

  refund(input: { outTradeNo: string; refundId: string; amount: string; total: string }) {
    return this.call('refund', `${input.outTradeNo} ${input.refundId}`, (): ChannelRefundState | ChannelRefusal => {
      const order = this.orders.get(input.outTradeNo);
      if (!order) return new ChannelRefusal('NOT_FOUND', 'ORDER_NOT_EXIST', '订单不存在');
      if (input.total !== order.amount) return new ChannelRefusal('FINAL', 'PARAM_ERROR', '订单金额不一致');
      const earlier = order.refunds.get(input.refundId);
      if (earlier) return stateOf(earlier.status);
      if (order.state !== 'SUCCESS') return new ChannelRefusal('FINAL', 'INVALID_REQUEST', '订单未支付');
      order.refunds.set(input.refundId, { amount: input.amount, status: 'PROCESSING' });
      return { state: 'PROCESSING' };
    });
  }

  refundQuery(input: { outTradeNo: string; refundId: string }) {
    return this.call('refundQuery', input.refundId, (): ChannelRefundState | ChannelRefusal => {
      const refund = this.orders.get(input.outTradeNo)?.refunds.get(input.refundId);
      return refund ? stateOf(refund.status) : new ChannelRefusal('NOT_FOUND', 'RESOURCE_NOT_EXISTS', '退款单不存在');
    });
  }

  paidOnDay(date: string) {
    return this.call('paidOnDay', date, () => new Map([...this.orders.values()].filter((o) => o.state === 'SUCCESS').map((o) => [o.outTradeNo, o.amount])));
  }

  private async call<T>(method: Method, detail: string, effect: () => T | ChannelRefusal): Promise<T | ChannelRefusal> {
    this.calls.push(`${method} ${detail}`);
    const fault = this.faults.get(method)?.shift();
    if (fault === 'down') throw new Error(`WeChat Pay ${method}: connect ECONNREFUSED`);
    if (fault) return new ChannelRefusal(RETRYABLE.has(fault) ? 'RETRY' : 'FINAL', fault, 'refused (injected)');
    return effect();
  }
}

function stateOf(status: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL'): ChannelRefundState {
  if (status === 'SUCCESS') return { state: 'SUCCEEDED' };
  return status === 'PROCESSING' ? { state: 'PROCESSING' } : { state: 'FAILED', reason: 'WeChat Pay refund ABNORMAL' };
}
