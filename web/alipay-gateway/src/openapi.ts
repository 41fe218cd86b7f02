/**
 * POST /gateway.do: Alipay's OpenAPI as alipay-sdk calls it. System parameters arrive in the
 * query string, `biz_content` in the form body. The app's RSA2 signature is verified over every
 * parameter but `sign`; the answer is `{"<method>_response":{...},"sign":"..."}`, signed over the
 * exact text of the inner object with the gateway's key.
 *
 * The work is split in two so that sandbox faults (faults.ts) can step in between: `authenticate`
 * tells a genuine merchant call from a forged one, `execute` applies it and answers.
 */
import { formatCents, parseCents } from '@shop/common/money';
import { fromAlipayTime, isCalendarDate, toAlipayTime } from '@shop/contracts';
import { chinaDate } from './china-time';
import type { GatewayConfig } from './config';
import { rsa2Sign, rsa2Verify, signContent } from './rsa2';
import { BusinessError, type Trade, type TradeBook } from './trades';

/** The methods the emulator implements (also the methods a sandbox fault may target). */
export const OPENAPI_METHODS = [
  'alipay.trade.precreate',
  'alipay.trade.query',
  'alipay.trade.close',
  'alipay.trade.refund',
  'alipay.trade.fastpay.refund.query',
  'alipay.data.dataservice.bill.downloadurl.query',
] as const;

export interface OpenApiDeps {
  config: GatewayConfig;
  /** The trade book; its clock is the gateway's clock. */
  trades: TradeBook;
  /** The QR code content of a trade (the cashier page's URL). */
  qrCode(outTradeNo: string): string;
  /** Where the bill of a day can be downloaded. */
  billUrl(date: string): string;
}

type Answer = Record<string, string>;

const SUCCESS = { code: '10000', msg: 'Success' };
const BUYER_LOGON_ID = 'sandbox***@example.com';

function failure(error: BusinessError): Answer {
  return { code: error.code, msg: error.code === '40004' ? 'Business Failed' : 'Invalid Arguments', sub_code: error.subCode, sub_msg: error.subMsg };
}

/** Signs and serialises an answer the way Alipay does (the inner object's exact text). */
export function signedResponse(method: string, answer: Answer, alipayPrivateKey: string): string {
  const inner = JSON.stringify(answer);
  return `{"${(method || 'error').replace(/\./g, '_')}_response":${inner},"sign":"${rsa2Sign(inner, alipayPrivateKey)}"}`;
}

/** The signed answer refusing a call with a business error. */
export function signedRefusal(method: string, error: BusinessError, alipayPrivateKey: string): string {
  return signedResponse(method, failure(error), alipayPrivateKey);
}

function requireBiz(biz: Record<string, unknown>, ...names: string[]): void {
  for (const name of names) {
    if (typeof biz[name] !== 'string' || biz[name] === '') throw new BusinessError('isv.missing-parameter', `missing ${name}`, '40002');
  }
}

function amountOf(value: unknown, name: string): string {
  const cents = typeof value === 'string' ? parseCents(value) : undefined;
  if (cents === undefined || cents <= 0n || cents > 10_000_000_000n) throw new BusinessError('isv.invalid-parameter', `${name} is invalid`, '40002');
  return formatCents(cents);
}

/** timeout_express ("5m", "2h", "1d") or time_expire ("yyyy-MM-dd HH:mm:ss", China time). */
function expiryOf(biz: Record<string, unknown>, now: Date): Date {
  if (typeof biz.time_expire === 'string') {
    const at = fromAlipayTime(biz.time_expire);
    if (!at) throw new BusinessError('isv.invalid-parameter', 'time_expire is invalid', '40002');
    return at;
  }
  const express = typeof biz.timeout_express === 'string' ? biz.timeout_express : '120m';
  const match = /^(\d{1,4})([mhd])$/.exec(express);
  if (!match) throw new BusinessError('isv.invalid-parameter', 'timeout_express is invalid', '40002');
  const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return new Date(now.getTime() + Number(match[1]) * unitMs);
}

const tradeFields = (trade: Trade) => ({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });

/** A request that carries the merchant app's id and a valid signature of its key. */
export interface MerchantCall {
  method: string;
  params: Record<string, string>;
}

/** The merchant's call, or the signed answer refusing a request that is not one. */
export function authenticate(config: GatewayConfig, params: Record<string, string>): { call: MerchantCall } | { refusal: string } {
  const method = params.method ?? '';
  const refuse = (error: BusinessError) => ({ refusal: signedRefusal(method, error, config.alipayPrivateKey) });
  if (params.app_id !== config.appId) return refuse(new BusinessError('isv.invalid-app-id', 'invalid app_id', '40002'));
  if (params.sign_type !== 'RSA2') return refuse(new BusinessError('isv.invalid-signature-type', 'sign_type must be RSA2', '40002'));
  if (!params.sign || !rsa2Verify(signContent(params, ['sign']), params.sign, config.appPublicKey)) {
    return refuse(new BusinessError('isv.invalid-signature', 'invalid signature', '40002'));
  }
  return { call: { method, params } };
}

/** Applies the merchant's call and answers it, signed. */
export function execute(deps: OpenApiDeps, call: MerchantCall): string {
  try {
    return signedResponse(call.method, { ...SUCCESS, ...apply(deps, call) }, deps.config.alipayPrivateKey);
  } catch (error) {
    if (error instanceof BusinessError) return signedRefusal(call.method, error, deps.config.alipayPrivateKey);
    throw error;
  }
}

/** The fields of a successful answer (after code and msg); refusals are thrown as BusinessError. */
function apply(deps: OpenApiDeps, { method, params }: MerchantCall): Answer {
  const { trades } = deps;
  const biz = bizContentOf(params);
  switch (method) {
    case 'alipay.trade.precreate': {
      requireBiz(biz, 'out_trade_no', 'subject');
      const trade = trades.precreate({
        outTradeNo: biz.out_trade_no as string,
        totalAmount: amountOf(biz.total_amount, 'total_amount'),
        subject: biz.subject as string,
        expiresAt: expiryOf(biz, trades.now()),
        notifyUrl: params.notify_url,
      });
      // Like Alipay, no trade_no: the trade is born when a buyer scans the QR code.
      return { out_trade_no: trade.outTradeNo, qr_code: deps.qrCode(trade.outTradeNo) };
    }
    case 'alipay.trade.query': {
      requireBiz(biz, 'out_trade_no');
      const trade = trades.get(biz.out_trade_no as string);
      return {
        ...tradeFields(trade),
        trade_status: trade.status,
        total_amount: trade.totalAmount,
        buyer_logon_id: BUYER_LOGON_ID,
        ...(trade.paidAt && { send_pay_date: toAlipayTime(trade.paidAt), buyer_pay_amount: trade.totalAmount }),
      };
    }
    case 'alipay.trade.close': {
      requireBiz(biz, 'out_trade_no');
      return tradeFields(trades.close(biz.out_trade_no as string));
    }
    case 'alipay.trade.refund': {
      requireBiz(biz, 'out_trade_no', 'out_request_no');
      const { trade, refund, fundChange } = trades.refund(
        biz.out_trade_no as string,
        biz.out_request_no as string,
        amountOf(biz.refund_amount, 'refund_amount'),
      );
      return {
        ...tradeFields(trade),
        buyer_logon_id: BUYER_LOGON_ID,
        fund_change: fundChange ? 'Y' : 'N',
        refund_fee: formatCents(trades.refunded(trade)),
        gmt_refund_pay: toAlipayTime(refund.at),
      };
    }
    case 'alipay.trade.fastpay.refund.query': {
      requireBiz(biz, 'out_trade_no', 'out_request_no');
      const { trade, refund } = trades.findRefund(biz.out_trade_no as string, biz.out_request_no as string);
      // Alipay answers success for a refund it never made, with no refund fields at all.
      return {
        ...tradeFields(trade),
        out_request_no: biz.out_request_no as string,
        ...(refund && {
          total_amount: trade.totalAmount,
          refund_amount: refund.amount,
          refund_status: 'REFUND_SUCCESS',
          gmt_refund_pay: toAlipayTime(refund.at),
        }),
      };
    }
    case 'alipay.data.dataservice.bill.downloadurl.query': {
      requireBiz(biz, 'bill_type', 'bill_date');
      const date = biz.bill_date as string;
      if (biz.bill_type !== 'trade' || !isCalendarDate(date))
        throw new BusinessError('isv.invalid-parameter', 'bill_type must be trade and bill_date yyyy-MM-dd', '40002');
      // Alipay serves a day's bill the next day; the emulator also serves today's so far (tests).
      // Days are China's, as in the bill itself.
      if (date > chinaDate(trades.now())) throw new BusinessError('ACQ.BILL_NOT_EXIST', 'no bill for a future day');
      return { bill_download_url: deps.billUrl(date) };
    }
    default:
      throw new BusinessError('isv.invalid-method', `unknown method ${method}`, '40002');
  }
}

function bizContentOf(params: Record<string, string>): Record<string, unknown> {
  if (!params.biz_content) return {};
  try {
    return JSON.parse(params.biz_content) as Record<string, unknown>;
  } catch {
    throw new BusinessError('isv.invalid-parameter', 'biz_content is not JSON', '40002');
  }
}
