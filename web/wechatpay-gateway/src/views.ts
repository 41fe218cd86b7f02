/**
 * The JSON WeChat Pay answers about orders and refunds, field for field, and the resources its
 * notifications carry (encrypted). Amounts are fen; times RFC 3339 in China time.
 */
import { toWechatTime } from './china-time';
import { SANDBOX_OPENID, type Order, type Refund, type TradeState } from './orders';

const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款',
  CLOSED: '订单已关闭',
};

/**
 * GET /v3/pay/transactions/out-trade-no/{no}: before payment WeChat answers only the order's own
 * fields (no trade_type, payer nor transaction_id); once paid, the transaction's.
 */
export function transactionView(order: Order): Record<string, unknown> {
  if (!order.transactionId) {
    return {
      amount: { payer_currency: 'CNY', total: order.total },
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      promotion_detail: [],
      scene_info: { device_id: '' },
      trade_state: order.state,
      trade_state_desc: TRADE_STATE_DESC[order.state],
    };
  }
  return {
    amount: { currency: 'CNY', payer_currency: 'CNY', payer_total: order.total, total: order.total },
    appid: order.appid,
    attach: order.attach ?? '',
    bank_type: 'OTHERS',
    mchid: order.mchid,
    out_trade_no: order.outTradeNo,
    payer: { openid: SANDBOX_OPENID },
    promotion_detail: [],
    success_time: toWechatTime(order.successTime!),
    trade_state: order.state,
    trade_state_desc: TRADE_STATE_DESC[order.state],
    trade_type: 'NATIVE',
    transaction_id: order.transactionId,
  };
}

/** The resource of a TRANSACTION.SUCCESS notification (original_type "transaction"). */
export function transactionResource(order: Order): Record<string, unknown> {
  return {
    mchid: order.mchid,
    appid: order.appid,
    out_trade_no: order.outTradeNo,
    transaction_id: order.transactionId,
    trade_type: 'NATIVE',
    trade_state: 'SUCCESS',
    trade_state_desc: TRADE_STATE_DESC.SUCCESS,
    bank_type: 'OTHERS',
    attach: order.attach ?? '',
    success_time: toWechatTime(order.successTime!),
    payer: { openid: SANDBOX_OPENID },
    amount: { total: order.total, payer_total: order.total, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** POST /v3/refund/domestic/refunds and GET .../refunds/{out_refund_no}. */
export function refundView(refund: Refund, order: Order): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.successTime && { success_time: toWechatTime(refund.successTime) }),
    create_time: toWechatTime(refund.createdAt),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: order.total,
      refund: refund.amount,
      from: [],
      payer_total: order.total,
      payer_refund: refund.amount,
      settlement_refund: refund.amount,
      settlement_total: order.total,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** The resource of a REFUND.SUCCESS / REFUND.CLOSED / REFUND.ABNORMAL notification (original_type "refund"). */
export function refundResource(refund: Refund, order: Order): Record<string, unknown> {
  return {
    mchid: order.mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    ...(refund.successTime && { success_time: toWechatTime(refund.successTime) }),
    user_received_account: '支付用户零钱',
    amount: { total: order.total, refund: refund.amount, payer_total: order.total, payer_refund: refund.amount },
  };
}
