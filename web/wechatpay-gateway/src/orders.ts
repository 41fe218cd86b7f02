/**
 * The gateway's orders and refunds (in memory: the emulator's state lives as long as its
 * process), with WeChat Pay's states and refusals. Unlike Alipay's QR codes, a Native order
 * exists at WeChat Pay from the moment it is placed: query and close work before any buyer
 * scans the code. States: NOTPAY -> SUCCESS (paid) or CLOSED (closed by the merchant); a paid
 * order with a refund accepted is REFUND ("转入退款"). `time_expire` is the last moment the buyer
 * can pay, not a close: past it the order stays NOTPAY until the merchant closes it.
 */
import { randomInt } from 'node:crypto';
import { chinaDate } from './china-time';
import { randomAlphanumeric } from './wechat-crypto';
import { WechatError } from './wechat-error';

export type TradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

/** A code_url is payable for two hours; asking again with the same parameters renews it. */
export const CODE_URL_VALIDITY_MS = 2 * 3_600_000;
/** WeChat moves a time_expire earlier than this after the order to this. */
const MIN_PAY_WINDOW_MS = 60_000;
/** The most partial refunds an order takes. */
const MAX_REFUNDS_PER_ORDER = 50;
/** The buyer of the sandbox (an openid of the app). */
export const SANDBOX_OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

/** Not WeChat's: what the buyer's app says of an order past its time_expire or its code_url's validity. */
export const ORDER_EXPIRED = 'ORDER_EXPIRED';

export interface NativeOrderInput {
  appid: string;
  mchid: string;
  description: string;
  outTradeNo: string;
  notifyUrl: string;
  total: number;
  attach: string | undefined;
  timeExpire: Date | undefined;
  /** The whole request, canonical: a repeat must be identical to get the same code_url. */
  fingerprint: string;
}

export interface Order {
  outTradeNo: string;
  appid: string;
  mchid: string;
  description: string;
  /** Fen, as WeChat counts. */
  total: number;
  notifyUrl: string;
  attach: string | undefined;
  fingerprint: string;
  /** The code_url's `pr` token. */
  token: string;
  codeUrlExpiresAt: Date;
  /** time_expire as WeChat applies it (at least a minute after the order); undefined when none was given. */
  payBy: Date | undefined;
  createdAt: Date;
  state: TradeState;
  transactionId: string | undefined;
  successTime: Date | undefined;
  closedAt: Date | undefined;
  refunds: Refund[];
}

export interface Refund {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  /** Fen. */
  amount: number;
  reason: string | undefined;
  notifyUrl: string | undefined;
  status: RefundStatus;
  createdAt: Date;
  successTime: Date | undefined;
}

export interface RefundInput {
  outTradeNo: string | undefined;
  transactionId: string | undefined;
  outRefundNo: string;
  amount: number;
  total: number;
  reason: string | undefined;
  notifyUrl: string | undefined;
}

const orderNotExist = () => new WechatError(404, 'ORDER_NOT_EXIST', '订单不存在');
const orderPaid = () => new WechatError(400, 'ORDERPAID', '订单已支付');
const orderClosed = () => new WechatError(400, 'ORDER_CLOSED', '订单已关闭');
const invalidRequest = (message: string) => new WechatError(400, 'INVALID_REQUEST', message);

/** The code_url of a Native order: what the buyer's WeChat app scans (`pr` is the order's token). */
export const codeUrl = (token: string) => `weixin://wxpay/bizpayurl?pr=${token}`;

let sequence = 0;
const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');
const next = (width: number) => String((sequence = (sequence + 1) % 10 ** width)).padStart(width, '0');
/** 28 digits like 4200000263201902167700134212. */
const newTransactionId = (now: Date) => `4200000${next(3)}${chinaDate(now).replace(/-/g, '')}${digits(10)}`;
/** 29 digits like 50000000382019052709732678859. */
const newRefundId = (now: Date) => `50000${next(4)}${chinaDate(now).replace(/-/g, '')}${digits(12)}`;

export class OrderBook {
  private readonly orders = new Map<string, Order>();
  private readonly byToken = new Map<string, Order>();
  private readonly refunds = new Map<string, Refund>();

  constructor(readonly now: () => Date = () => new Date()) {}

  find(outTradeNo: string): Order | undefined {
    return this.orders.get(outTradeNo);
  }

  /** The order as the query API sees it: ORDER_NOT_EXIST when unknown. */
  get(outTradeNo: string): Order {
    const order = this.find(outTradeNo);
    if (!order) throw orderNotExist();
    return order;
  }

  /** By transaction_id: only paid orders have one. */
  getByTransactionId(transactionId: string): Order {
    const order = [...this.orders.values()].find((candidate) => candidate.transactionId === transactionId);
    if (!order) throw orderNotExist();
    return order;
  }

  findByToken(token: string): Order | undefined {
    return this.byToken.get(token);
  }

  all(): Order[] {
    return [...this.orders.values()];
  }

  /**
   * A Native order, or the same one again for the same out_trade_no with an identical request
   * (its code_url valid two more hours). A paid order answers ORDERPAID, a closed one
   * ORDER_CLOSED, and any other request under a known number OUT_TRADE_NO_USED.
   */
  placeNative(input: NativeOrderInput): Order {
    const now = this.now();
    const existing = this.find(input.outTradeNo);
    if (existing) {
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND') throw orderPaid();
      if (existing.state === 'CLOSED') throw orderClosed();
      if (existing.fingerprint !== input.fingerprint) throw new WechatError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
      existing.codeUrlExpiresAt = new Date(now.getTime() + CODE_URL_VALIDITY_MS);
      return existing;
    }
    let token = randomAlphanumeric(10);
    while (this.byToken.has(token)) token = randomAlphanumeric(10);
    const order: Order = {
      outTradeNo: input.outTradeNo,
      appid: input.appid,
      mchid: input.mchid,
      description: input.description,
      total: input.total,
      notifyUrl: input.notifyUrl,
      attach: input.attach,
      fingerprint: input.fingerprint,
      token,
      codeUrlExpiresAt: new Date(now.getTime() + CODE_URL_VALIDITY_MS),
      payBy: input.timeExpire && new Date(Math.max(input.timeExpire.getTime(), now.getTime() + MIN_PAY_WINDOW_MS)),
      createdAt: now,
      state: 'NOTPAY',
      transactionId: undefined,
      successTime: undefined,
      closedAt: undefined,
      refunds: [],
    };
    this.orders.set(order.outTradeNo, order);
    this.byToken.set(token, order);
    return order;
  }

  /** Whether the buyer could still pay the order now (NOTPAY, within time_expire and the code_url's validity). */
  payable(order: Order): boolean {
    const now = this.now();
    return order.state === 'NOTPAY' && order.codeUrlExpiresAt > now && (!order.payBy || order.payBy > now);
  }

  /** The buyer pays: the order becomes SUCCESS with a transaction_id. */
  pay(outTradeNo: string): Order {
    const order = this.get(outTradeNo);
    if (order.state === 'SUCCESS' || order.state === 'REFUND') throw orderPaid();
    if (order.state === 'CLOSED') throw orderClosed();
    if (!this.payable(order))
      throw new WechatError(400, ORDER_EXPIRED, 'the order is past its time_expire or its code_url expired: the buyer can no longer pay it');
    const now = this.now();
    order.state = 'SUCCESS';
    order.successTime = now;
    order.transactionId = newTransactionId(now);
    return order;
  }

  /**
   * Closes an unpaid order. Closing again changes nothing, and WeChat answers success for an
   * out_trade_no it does not know too; a paid order answers ORDERPAID.
   */
  close(outTradeNo: string): void {
    const order = this.find(outTradeNo);
    if (!order || order.state === 'CLOSED') return;
    if (order.state !== 'NOTPAY') throw orderPaid();
    order.state = 'CLOSED';
    order.closedAt = this.now();
  }

  findRefund(outRefundNo: string): Refund | undefined {
    return this.refunds.get(outRefundNo);
  }

  getRefund(outRefundNo: string): Refund {
    const refund = this.findRefund(outRefundNo);
    if (!refund) throw new WechatError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return refund;
  }

  allRefunds(): Refund[] {
    return [...this.refunds.values()];
  }

  /** Fen refunded or being refunded (every refund but the CLOSED ones). */
  refunded(order: Order): number {
    return order.refunds.filter((refund) => refund.status !== 'CLOSED').reduce((sum, refund) => sum + refund.amount, 0);
  }

  /**
   * Accepts a refund (PROCESSING; the order becomes REFUND). The same out_refund_no with the
   * same order and amounts answers the refund made the first time; with others it is refused.
   * Only a paid order can be refunded (RESOURCE_NOT_EXISTS otherwise), with the order's
   * `total`, within what is left to refund.
   */
  refund(input: RefundInput): Refund {
    const earlier = this.findRefund(input.outRefundNo);
    const order = this.paidOrder(input);
    if (earlier) {
      if (earlier.outTradeNo !== order.outTradeNo || earlier.amount !== input.amount || order.total !== input.total) {
        throw invalidRequest('商户退款单号重复，请求参数与原退款申请不一致');
      }
      return earlier;
    }
    if (input.total !== order.total) throw invalidRequest('您的请求参数与订单信息不一致');
    const left = order.total - this.refunded(order);
    if (left === 0) throw invalidRequest('订单已全额退款');
    if (input.amount > left) throw invalidRequest('申请退款金额超过订单可退金额');
    if (order.refunds.length >= MAX_REFUNDS_PER_ORDER) throw invalidRequest('订单部分退款次数已达上限50次');
    const now = this.now();
    const refund: Refund = {
      outRefundNo: input.outRefundNo,
      refundId: newRefundId(now),
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId!,
      amount: input.amount,
      reason: input.reason,
      notifyUrl: input.notifyUrl,
      status: 'PROCESSING',
      createdAt: now,
      successTime: undefined,
    };
    order.refunds.push(refund);
    order.state = 'REFUND';
    this.refunds.set(refund.outRefundNo, refund);
    return refund;
  }

  /**
   * Ends a PROCESSING refund: SUCCESS (the money reached the buyer), CLOSED (it did not; the
   * amount can be refunded again) or ABNORMAL (the buyer's account refused it).
   */
  settleRefund(outRefundNo: string, status: Exclude<RefundStatus, 'PROCESSING'>): Refund {
    const refund = this.getRefund(outRefundNo);
    if (refund.status !== 'PROCESSING') throw invalidRequest(`the refund is ${refund.status}, not PROCESSING`);
    refund.status = status;
    if (status === 'SUCCESS') refund.successTime = this.now();
    return refund;
  }

  private paidOrder(input: RefundInput): Order {
    const order = input.outTradeNo
      ? this.find(input.outTradeNo)
      : [...this.orders.values()].find((candidate) => candidate.transactionId === input.transactionId);
    if (!order || (input.transactionId && order.transactionId !== input.transactionId) || !order.transactionId) {
      throw new WechatError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    }
    return order;
  }
}
