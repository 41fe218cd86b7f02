/**
 * The trade bill (GET /v3/bill/tradebill, then the download_url it answers), as WeChat Pay
 * makes it: one bill per China day (UTC+8), generated from 09:00 the next morning (WeChat
 * advises fetching after 10:00; the emulator serves it from 10:00), kept three months. The file
 * is WeChat's CSV: a UTF-8 BOM, a header line, one line per payment or refund made that day
 * whose every field starts with a backtick (so that spreadsheets keep ids as text), then the
 * summary's caption and its line, CRLF line ends; gzip when `tar_type=GZIP`. Amounts are yuan.
 * `hash_value` is the SHA1 of the exact bytes served. Tests may tamper with a day's bill to
 * plant differences (a missing order, an unknown one, another amount).
 */
import { addTampering, type BillTampering as Tampering } from '@shop/common/emulator';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { formatCents } from '@shop/common/money';
import { addDays, chinaDate, chinaDayStart, isCalendarDate, toBillTime } from './china-time';
import { SANDBOX_OPENID, type Order, type OrderBook, type Refund } from './orders';
import { WechatError } from './wechat-error';

export const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'] as const;
export type BillType = (typeof BILL_TYPES)[number];

/** Differences planted in a day's bill (amounts in fen). */
export type BillTampering = Tampering<number>;

const COMMON = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
];
const REFUND_FIELDS = ['微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态'];
const TAIL = ['商品名称', '商户数据包', '手续费', '费率'];
export const BILL_COLUMNS: Record<BillType, string[]> = {
  ALL: [...COMMON, ...REFUND_FIELDS, ...TAIL, '订单金额', '申请退款金额', '费率备注'],
  SUCCESS: [...COMMON, ...TAIL, '订单金额', '费率备注'],
  REFUND: [...COMMON, '退款申请时间', '退款成功时间', ...REFUND_FIELDS, ...TAIL, '订单金额', '申请退款金额', '费率备注'],
};
export const SUMMARY_COLUMNS = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'];

/** The merchant's fee: 0.6% of what was paid, rounded to the fen. */
const FEE_RATE = '0.60%';
const feeOf = (fen: number) => Math.floor((fen * 6 + 500) / 1000);
const yuan = (fen: number) => formatCents(BigInt(fen));
/** Fees are written with five decimals ("0.06000"). */
const feeYuan = (fen: number) => `${yuan(fen)}000`;

/** A download_url is good for five minutes. */
const DOWNLOAD_VALIDITY_MS = 5 * 60_000;
/** WeChat serves a day's bill from 10:00 (China time) the next day: 600 minutes after the day ends. */
export const BILL_READY_AFTER_MINUTES = 600;

interface Line {
  at: Date;
  fields: Record<string, string>;
  /** Fen, for the summary. */
  settlement: number;
  refund: number;
  fee: number;
  orderAmount: number;
  refundRequested: number;
}

const invalidDate = () => new WechatError(400, 'INVALID_REQUEST', '参数错误，请检查bill_date，并重新调用');

export class Bills {
  private readonly tampering = new Map<string, BillTampering>();
  private readonly downloads = new Map<string, { bytes: Buffer; expiresAt: Date }>();

  constructor(
    private readonly orders: OrderBook,
    /** Whose bill it is (the lines the sandbox plants). */
    private readonly merchant: { appid: string; mchid: string },
    /** Minutes after a day's end (China time) from which its bill is served; negative: during the day (tests). */
    private readonly readyAfterMinutes = BILL_READY_AFTER_MINUTES,
  ) {}

  tamper(date: string, change: BillTampering): void {
    this.tampering.set(date, addTampering(this.tampering.get(date), change));
  }

  /**
   * Prepares the bill of `date` for download: its SHA1 and the token of its download_url.
   * Refused as WeChat does: a day after today or more than three months back (INVALID_REQUEST),
   * a bill not generated yet (STATEMENT_CREATING), a day without payments nor refunds
   * (NO_STATEMENT_EXIST).
   */
  apply(date: string, type: BillType, gzip: boolean): { hashValue: string; token: string } {
    const now = this.orders.now();
    const today = chinaDate(now);
    if (!isCalendarDate(date) || date > today || date < threeMonthsBefore(today)) throw invalidDate();
    const readyAt = new Date(chinaDayStart(addDays(date, 1)).getTime() + this.readyAfterMinutes * 60_000);
    if (now < readyAt) throw new WechatError(400, 'STATEMENT_CREATING', '账单生成中');
    const lines = this.lines(date, type);
    if (lines.length === 0) throw new WechatError(400, 'NO_STATEMENT_EXIST', '账单文件不存在');
    const csv = Buffer.from(render(type, lines), 'utf8');
    const bytes = gzip ? gzipSync(csv) : csv;
    const token = randomBytes(36).toString('base64url');
    this.downloads.set(token, { bytes, expiresAt: new Date(now.getTime() + DOWNLOAD_VALIDITY_MS) });
    return { hashValue: createHash('sha1').update(bytes).digest('hex'), token };
  }

  /** The bytes behind a download_url's token, while it is valid. */
  download(token: string): Buffer {
    const download = this.downloads.get(token);
    if (!download || download.expiresAt <= this.orders.now()) throw new WechatError(400, 'INVALID_REQUEST', '下载地址已失效，请重新申请账单');
    return download.bytes;
  }

  /** The CSV of a day, whatever the day (tests). */
  csv(date: string, type: BillType = 'ALL'): string {
    return render(type, this.lines(date, type));
  }

  private lines(date: string, type: BillType): Line[] {
    const change = this.tampering.get(date) ?? {};
    const kept = (outTradeNo: string) => !change.drop?.includes(outTradeNo);
    const payments =
      type === 'REFUND'
        ? []
        : this.orders
            .all()
            .filter((order) => order.successTime && chinaDate(order.successTime) === date && kept(order.outTradeNo))
            .map((order) => paymentLine(order, change.amounts?.[order.outTradeNo] ?? order.total));
    const planted =
      type === 'REFUND'
        ? []
        : (change.add ?? []).map((row, i) =>
            paymentLine(
              {
                outTradeNo: row.outTradeNo,
                appid: this.merchant.appid,
                mchid: this.merchant.mchid,
                transactionId: `42000000${date.replace(/-/g, '')}${String(i).padStart(12, '0')}`,
                description: 'planted by the sandbox',
                attach: undefined,
                successTime: new Date(chinaDayStart(date).getTime() + 12 * 3_600_000),
              },
              row.amount,
            ),
          );
    const refunds =
      type === 'SUCCESS'
        ? []
        : this.orders
            .allRefunds()
            .filter((refund) => refund.status === 'SUCCESS' && chinaDate(refund.successTime!) === date && kept(refund.outTradeNo))
            .map((refund) => refundLine(refund, this.orders.get(refund.outTradeNo)));
    return [...payments, ...planted, ...refunds].sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}

function threeMonthsBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1 - 3, day)).toISOString().slice(0, 10);
}

type PaidOrder = Pick<Order, 'outTradeNo' | 'appid' | 'mchid' | 'transactionId' | 'description' | 'attach' | 'successTime'>;

function commonFields(order: PaidOrder, at: Date, state: string, settlement: number): Record<string, string> {
  return {
    交易时间: toBillTime(at),
    公众账号ID: order.appid,
    商户号: order.mchid,
    特约商户号: '0',
    设备号: '',
    微信订单号: order.transactionId ?? '',
    商户订单号: order.outTradeNo,
    用户标识: SANDBOX_OPENID,
    交易类型: 'NATIVE',
    交易状态: state,
    付款银行: 'OTHERS',
    货币种类: 'CNY',
    应结订单金额: yuan(settlement),
    代金券金额: '0.00',
    商品名称: order.description,
    商户数据包: order.attach ?? '',
    费率: FEE_RATE,
    费率备注: '',
  };
}

function paymentLine(order: PaidOrder, amount: number): Line {
  const fee = feeOf(amount);
  const fields = {
    ...commonFields(order, order.successTime!, 'SUCCESS', amount),
    微信退款单号: '0',
    商户退款单号: '0',
    退款金额: '0.00',
    充值券退款金额: '0.00',
    退款类型: '',
    退款状态: '',
    手续费: feeYuan(fee),
    订单金额: yuan(amount),
    申请退款金额: '0.00',
  };
  return { at: order.successTime!, fields, settlement: amount, refund: 0, fee, orderAmount: amount, refundRequested: 0 };
}

function refundLine(refund: Refund, order: Order): Line {
  const fields = {
    ...commonFields(order, refund.successTime!, 'REFUND', 0),
    退款申请时间: toBillTime(refund.createdAt),
    退款成功时间: toBillTime(refund.successTime!),
    微信退款单号: refund.refundId,
    商户退款单号: refund.outRefundNo,
    退款金额: yuan(refund.amount),
    充值券退款金额: '0.00',
    退款类型: 'ORIGINAL',
    退款状态: 'SUCCESS',
    手续费: feeYuan(0),
    订单金额: '0.00',
    申请退款金额: yuan(refund.amount),
  };
  return { at: refund.successTime!, fields, settlement: 0, refund: refund.amount, fee: 0, orderAmount: 0, refundRequested: refund.amount };
}

const backticked = (values: string[]) => values.map((value) => `\`${value}`).join(',');

function render(type: BillType, lines: Line[]): string {
  const columns = BILL_COLUMNS[type];
  const sum = (pick: (line: Line) => number) => lines.reduce((total, line) => total + pick(line), 0);
  const summary = [
    String(lines.length),
    yuan(sum((line) => line.settlement)),
    yuan(sum((line) => line.refund)),
    '0.00',
    feeYuan(sum((line) => line.fee)),
    yuan(sum((line) => line.orderAmount)),
    yuan(sum((line) => line.refundRequested)),
  ];
  const rows = lines.map((line) => backticked(columns.map((column) => line.fields[column] ?? '')));
  return `\ufeff${[columns.join(','), ...rows, SUMMARY_COLUMNS.join(','), backticked(summary)].join('\r\n')}\r\n`;
}
