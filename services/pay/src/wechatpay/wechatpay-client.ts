/**
 * WeChat Pay API v3 as the pay service will use it, through the unmodified wechatpay-axios-plugin
 * (docs/decisions.md says why that SDK): Native (QR) orders, query, close, domestic refunds and
 * their query, the trade bill, and notifications verified and decrypted.
 *
 * - Every answer's `Wechatpay-Signature` is checked by the SDK against `verifiers` (the WeChat Pay
 *   public key under its `PUB_KEY_ID_...`, and/or platform certificates under their serials; both
 *   during a migration), with its ±5 minute clock check. An answer that does not verify is thrown.
 * - Amounts are the shop's decimal yuan strings ("29.90") here and WeChat's integer fen there.
 * - WeChat's refusals (HTTP 4xx/5xx with `{code, message}`) come back as {@link WechatPayRefusal}
 *   values; a transport failure (no answer, a timeout) or an answer that fails verification is
 *   thrown, as the Alipay client does, so that the caller tells "no" from "unknown".
 *
 * Pointing `baseUrl` at https://api.mch.weixin.qq.com with the merchant's keys is all it takes to
 * go live (docs/operations.md); development and tests use web/wechatpay-gateway.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { formatCents, parseCents } from '@shop/common/money';
import { Aes, Formatter, Hash, Rsa, Wechatpay } from 'wechatpay-axios-plugin';

export interface WechatPaySettings {
  /** https://api.mch.weixin.qq.com, or the local gateway's URL. */
  baseUrl: string;
  mchid: string;
  /** The app (official account, mini program or mobile app) the Native orders are made for. */
  appid: string;
  /** The serial number of the merchant's API certificate (apiclient_cert.pem). */
  merchantSerial: string;
  /** The merchant's API private key (apiclient_key.pem). */
  merchantPrivateKey: string;
  /** The 32-character APIv3 key, which encrypts notifications' resources. */
  apiV3Key: string;
  /**
   * What verifies WeChat Pay's answers and notifications, by the `Wechatpay-Serial` they name:
   * `PUB_KEY_ID_...` -> the WeChat Pay public key (PEM), and/or a platform certificate's serial ->
   * the certificate (PEM).
   */
  verifiers: Record<string, string>;
  /**
   * The `Wechatpay-Serial` sent with requests: the public key id in public key mode (WeChat Pay
   * then signs answers with that key); unset in platform certificate mode.
   */
  publicKeyId?: string;
  timeoutMs: number;
}

/** WeChat Pay said no: its HTTP status and `code` (ORDER_NOT_EXIST, ORDERPAID, SYSTEM_ERROR...). */
export class WechatPayRefusal {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly httpStatus: number,
  ) {}
}

/** WeChat Pay's trade states (trade_state). */
export type WechatTradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
/** A refund's status: PROCESSING until the money moved (then SUCCESS, or CLOSED / ABNORMAL). */
export type WechatRefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

export interface WechatTrade {
  state: WechatTradeState;
  /** Yuan, two places. */
  amount: string;
  /** transaction_id, once paid. */
  transactionId: string;
}

export interface WechatRefund {
  status: WechatRefundStatus;
  /** Yuan, two places. */
  amount: string;
  refundId: string;
}

/** A notification that verified and decrypted: its event and the decrypted resource. */
export interface WechatNotification {
  id: string;
  eventType: string;
  resource: Record<string, unknown>;
}

/** The Wechatpay-* headers of an answer or a notification, as Node gives them (lower-cased). */
export type NotificationHeaders = Record<string, string | string[] | undefined>;

/** How far a notification's timestamp may be from this clock (WeChat's own SDKs use 5 minutes). */
const MAX_SKEW_SECONDS = 300;

const toFen = (amount: string): number => {
  const cents = parseCents(amount);
  if (cents === undefined) throw new Error(`not an amount: ${amount}`);
  return Number(cents);
};
const toYuan = (fen: number): string => formatCents(BigInt(fen));

/** WeChat Pay's time format: RFC 3339 in China time, seconds precision (2026-12-07T18:30:00+08:00). */
export function toWechatTime(at: Date): string {
  const china = new Date(at.getTime() + 8 * 3_600_000);
  return `${china.toISOString().slice(0, 19)}+08:00`;
}

interface AxiosLikeError {
  response?: { status: number; data?: unknown };
}

export class WechatPayClient {
  private readonly api: Wechatpay;
  private readonly keys: Record<string, KeyObject>;
  private readonly apiV3Key: KeyObject;

  constructor(readonly settings: WechatPaySettings) {
    this.keys = Object.fromEntries(Object.entries(settings.verifiers).map(([serial, pem]) => [serial, createPublicKey(pem)]));
    this.apiV3Key = Hash.keyObjectFrom(settings.apiV3Key);
    this.api = new Wechatpay({
      baseURL: settings.baseUrl,
      mchid: settings.mchid,
      serial: settings.merchantSerial,
      privateKey: settings.merchantPrivateKey,
      certs: this.keys,
      timeout: settings.timeoutMs,
      ...(settings.publicKeyId && { headers: { 'Wechatpay-Serial': settings.publicKeyId } }),
    });
  }

  /** Runs a call; WeChat's refusals as values, anything else thrown. */
  private async call<T>(
    request: () => Promise<{ data: unknown; status: number }>,
    read: (data: Record<string, unknown>, status: number) => T,
  ): Promise<T | WechatPayRefusal> {
    try {
      const { data, status } = await request();
      return read((data ?? {}) as Record<string, unknown>, status);
    } catch (error) {
      const answer = (error as AxiosLikeError).response;
      // An answer with WeChat's error body is a refusal; anything else (no answer, a bad signature) is thrown.
      const body = answer?.data as { code?: unknown; message?: unknown } | undefined;
      if (answer && typeof body?.code === 'string') return new WechatPayRefusal(body.code, String(body.message ?? ''), answer.status);
      throw error;
    }
  }

  /** A Native order: the code_url to show as a QR code, payable until `expiresAt`. */
  async createNativeOrder(input: {
    outTradeNo: string;
    amount: string;
    description: string;
    expiresAt: Date;
    notifyUrl: string;
  }): Promise<{ codeUrl: string } | WechatPayRefusal> {
    const body = {
      appid: this.settings.appid,
      mchid: this.settings.mchid,
      description: input.description,
      out_trade_no: input.outTradeNo,
      time_expire: toWechatTime(input.expiresAt),
      notify_url: input.notifyUrl,
      amount: { total: toFen(input.amount), currency: 'CNY' },
    };
    return this.call(
      () => this.api.chain('v3/pay/transactions/native').post(body),
      (data) => ({ codeUrl: String(data.code_url) }),
    );
  }

  /** The order by out_trade_no; ORDER_NOT_EXIST for one never made. */
  async query(outTradeNo: string): Promise<WechatTrade | WechatPayRefusal> {
    return this.call(
      () => this.api.chain('v3/pay/transactions/out-trade-no/{out_trade_no}').get({ params: { mchid: this.settings.mchid }, out_trade_no: outTradeNo }),
      (data) => {
        const amount = data.amount as { total?: number } | undefined;
        return { state: data.trade_state as WechatTradeState, amount: toYuan(amount?.total ?? 0), transactionId: String(data.transaction_id ?? '') };
      },
    );
  }

  /** Closes an unpaid order (204); a paid one is refused (ORDERPAID). */
  async close(outTradeNo: string): Promise<{ closed: true } | WechatPayRefusal> {
    return this.call(
      () => this.api.chain('v3/pay/transactions/out-trade-no/{out_trade_no}/close').post({ mchid: this.settings.mchid }, { out_trade_no: outTradeNo }),
      () => ({ closed: true as const }),
    );
  }

  /**
   * Refunds `amount` of the order once per `refundId` (out_refund_no; a repeat answers the same
   * refund). The answer is usually PROCESSING: the money moves later, told by a REFUND.SUCCESS
   * notification to `notifyUrl` or found by {@link refundQuery}.
   */
  async refund(input: {
    outTradeNo: string;
    refundId: string;
    amount: string;
    /** The order's whole amount, which WeChat checks. */
    total: string;
    reason: string;
    notifyUrl?: string;
  }): Promise<WechatRefund | WechatPayRefusal> {
    const body = {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.refundId,
      reason: input.reason,
      ...(input.notifyUrl && { notify_url: input.notifyUrl }),
      amount: { refund: toFen(input.amount), total: toFen(input.total), currency: 'CNY' },
    };
    return this.call(() => this.api.chain('v3/refund/domestic/refunds').post(body), readRefund);
  }

  /** The refund `refundId` (out_refund_no); RESOURCE_NOT_EXISTS when WeChat made none. */
  async refundQuery(refundId: string): Promise<WechatRefund | WechatPayRefusal> {
    return this.call(() => this.api.chain('v3/refund/domestic/refunds/{out_refund_no}').get({ out_refund_no: refundId }), readRefund);
  }

  /**
   * The trade bill of a China-time day: out_trade_no -> the amount paid (yuan), from the rows of
   * trades paid that day. The file comes gzipped and unsigned: its SHA1, given by the signed
   * tradebill answer, is checked before it is read.
   */
  async tradeBill(date: string): Promise<Map<string, string> | WechatPayRefusal> {
    const meta = await this.call(
      () => this.api.chain('v3/bill/tradebill').get({ params: { bill_date: date, bill_type: 'ALL', tar_type: 'GZIP' } }),
      (data) => ({ hashType: String(data.hash_type), hashValue: String(data.hash_value), downloadUrl: String(data.download_url) }),
    );
    if (meta instanceof WechatPayRefusal) return meta;
    // The token goes as params: the SDK keeps the chained path (v3/billdownload/file), which it does
    // not expect signed, and drops a `url` given instead.
    const token = Object.fromEntries(new URL(meta.downloadUrl).searchParams);
    const { data } = await this.api.chain('v3/billdownload/file').get({ params: token, responseType: 'arraybuffer' });
    const gzipped = Buffer.from(data as ArrayBuffer);
    if (meta.hashType !== 'SHA1' || !Hash.equals(meta.hashValue, Hash.sha1(gzipped))) throw new Error(`the bill of ${date} does not match its SHA1`);
    return paidInBill(gunzipSync(gzipped).toString('utf8'));
  }

  /**
   * A notification as WeChat Pay sends it: trusted only when its signature verifies with a known
   * key (over `timestamp\nnonce\nbody\n`, the exact bytes received), its timestamp is within five
   * minutes, and its resource decrypts (AES-256-GCM with the APIv3 key, tag checked). Undefined
   * otherwise, with the reason in `rejected`.
   */
  parseNotification(headers: NotificationHeaders, rawBody: string, rejected?: (reason: string) => void): WechatNotification | undefined {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const [timestamp, nonce, serial, signature] = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-serial', 'wechatpay-signature'].map(header);
    const refuse = (reason: string) => {
      rejected?.(reason);
      return undefined;
    };
    if (!timestamp || !nonce || !serial || !signature) return refuse('Wechatpay-* headers missing');
    if (!(Math.abs(Formatter.timestamp() - Number(timestamp)) <= MAX_SKEW_SECONDS)) return refuse('timestamp too far from now');
    const key = this.keys[serial];
    if (!key) return refuse(`no key for Wechatpay-Serial ${serial}`);
    if (!Rsa.verify(Formatter.response(timestamp, nonce, rawBody), signature, key)) return refuse('signature does not verify');
    try {
      const event = JSON.parse(rawBody) as { id?: unknown; event_type?: unknown; resource?: { ciphertext?: string; nonce?: string; associated_data?: string } };
      const { ciphertext = '', nonce: iv = '', associated_data: aad = '' } = event.resource ?? {};
      const resource = JSON.parse(Aes.AesGcm.decrypt(ciphertext, this.apiV3Key, iv, aad)) as Record<string, unknown>;
      return { id: String(event.id ?? ''), eventType: String(event.event_type ?? ''), resource };
    } catch {
      return refuse('resource does not decrypt');
    }
  }
}

function readRefund(data: Record<string, unknown>): WechatRefund {
  const amount = data.amount as { refund?: number } | undefined;
  return { status: data.status as WechatRefundStatus, amount: toYuan(amount?.refund ?? 0), refundId: String(data.refund_id ?? '') };
}

/**
 * The trade rows of a WeChat bill: a header line, then one line per trade whose fields each start
 * with a backtick, then the summary (its own header and line). Columns by their Chinese names:
 * 商户订单号 (out_trade_no), 交易状态 (SUCCESS, REFUND...), 应结订单金额 / 订单金额 (yuan).
 */
export function paidInBill(csv: string): Map<string, string> {
  const lines = csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  const columns = (lines[0] ?? '').split(',');
  const tradeColumn = columns.indexOf('商户订单号');
  const stateColumn = columns.indexOf('交易状态');
  const amountColumn = columns.indexOf('订单金额') >= 0 ? columns.indexOf('订单金额') : columns.indexOf('应结订单金额');
  if (tradeColumn < 0 || stateColumn < 0 || amountColumn < 0) throw new Error('the bill has no 商户订单号 / 交易状态 / 订单金额 columns');
  const paid = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (!line.startsWith('`')) break; // the summary starts
    const cells = line.split(',').map((cell) => cell.replace(/^`/, ''));
    if (cells[stateColumn] === 'SUCCESS') paid.set(cells[tradeColumn]!, cells[amountColumn]!);
  }
  return paid;
}
