/** What pay-web answers: views of the pay service's messages, their JSON schemas, the QR image. */
import { protoEnumNames } from '@shop/common/http';
import { pay } from '@shop/proto';
import QRCode from 'qrcode';

/** The channels a customer may choose, as the API names them. */
export const CHANNELS = ['ALIPAY_QR', 'WECHAT_NATIVE'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export const paymentView = (p: pay.Payment) => ({
  paymentId: p.paymentId,
  orderId: p.orderId,
  amount: p.amount,
  status: pay.paymentStatusToJSON(p.status),
  channel: pay.channelToJSON(p.channel),
});

const paymentProperties = {
  paymentId: { type: 'string' },
  orderId: { type: 'string' },
  amount: { type: 'string', description: 'yuan, two decimals' },
  status: { type: 'string', enum: protoEnumNames(pay.PaymentStatus) },
  channel: { type: 'string', enum: CHANNELS, description: 'Alipay QR (ALIPAY_QR) or WeChat Pay Native (WECHAT_NATIVE)' },
} as const;
export const paymentSchema = { type: 'object', properties: paymentProperties, required: Object.keys(paymentProperties) } as const;
export const createdPaymentSchema = {
  type: 'object',
  properties: {
    ...paymentProperties,
    qrCode: { type: 'string', description: "the QR code's content (Alipay's qr_code, WeChat Pay's code_url): a link the buyer's app opens" },
    qrImage: { type: 'string', description: 'the same QR code drawn as an SVG image, as a data: URL for an <img>' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
  required: [...Object.keys(paymentProperties), 'qrCode', 'qrImage', 'expiresAt'],
} as const;

export const channelsSchema = {
  type: 'object',
  properties: {
    channels: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          channel: { type: 'string', enum: CHANNELS },
          available: { type: 'boolean' },
          reason: { type: 'string', description: 'why not, when not available (switched off, above its amount limit, its gateway failing)' },
        },
        required: ['channel', 'available', 'reason'],
      },
    },
  },
  required: ['channels'],
} as const;

export const reconciliationSchema = {
  type: 'object',
  properties: {
    date: { type: 'string' },
    matched: { type: 'integer' },
    differences: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['LOCAL_ONLY', 'THIRD_PARTY_ONLY', 'AMOUNT_MISMATCH'] },
          channel: { type: 'string', enum: CHANNELS, description: "whose bill: Alipay's or WeChat Pay's" },
          outTradeNo: { type: 'string' },
          localAmount: { type: 'string' },
          alipayAmount: { type: 'string', description: "the channel's amount (the name is from when Alipay was the only channel)" },
          action: { type: 'string', description: 'what reconciliation did about it (a payment a channel took unrecorded is applied)' },
        },
        required: ['type', 'channel', 'outTradeNo', 'localAmount', 'alipayAmount', 'action'],
      },
    },
    unbilledChannels: {
      type: 'array',
      items: { type: 'string', enum: CHANNELS },
      description: 'channels whose bill of the day is not there yet (WeChat Pay serves it at 10:00 the next day): reconcile again later',
    },
  },
  required: ['date', 'matched', 'differences', 'unbilledChannels'],
} as const;

const refundLine = { type: 'object', properties: { goodsId: { type: 'string' }, quantity: { type: 'integer' } }, required: ['goodsId', 'quantity'] } as const;
const refundProperties = {
  refundId: { type: 'string' },
  orderId: { type: 'string' },
  status: {
    type: 'string',
    enum: protoEnumNames(pay.RefundStatus).map((name) => name.replace(/^REFUND_/, '')),
    description: 'PENDING -> SUCCEEDED, or FAILED (Alipay refused it)',
  },
  kind: {
    type: 'string',
    enum: protoEnumNames(pay.RefundKind),
    description: 'CUSTOMER, AFTER_SALES (an approved request), PAYMENT_REJECTED (money paid after the order was cancelled)',
  },
  amount: { type: 'string', description: 'yuan, two decimals' },
  alipayAmount: { type: 'string', description: 'the part given back through Alipay' },
  balanceAmount: { type: 'string', description: 'the part given back to the balance' },
  points: { type: 'string', description: 'points taken back' },
  items: { type: 'array', items: refundLine, description: 'stock given back' },
  reason: { type: 'string' },
  failureReason: { type: 'string', nullable: true, description: "why it FAILED (Alipay's sub_code), or what a PENDING refund waits for" },
  createdAt: { type: 'string', format: 'date-time' },
  finishedAt: { type: 'string', format: 'date-time', nullable: true },
} as const;
export const refundSchema = { type: 'object', properties: refundProperties, required: Object.keys(refundProperties) } as const;

export const refundView = (r: pay.Refund) => ({
  refundId: r.refundId,
  orderId: r.orderId,
  status: pay.refundStatusToJSON(r.status).replace(/^REFUND_/, ''),
  kind: pay.refundKindToJSON(r.kind),
  amount: r.amount,
  alipayAmount: r.alipayAmount,
  balanceAmount: r.balanceAmount,
  points: r.points,
  items: r.items.map(({ goodsId, quantity }) => ({ goodsId, quantity })),
  reason: r.reason,
  failureReason: r.failureReason || null,
  createdAt: r.createdAt,
  finishedAt: r.finishedAt || null,
});

const count = (description: string) => ({ type: 'integer', description }) as const;

export const payDayStatsSchema = {
  type: 'object',
  properties: {
    days: {
      type: 'array',
      description: 'every day of the range, oldest first',
      items: {
        type: 'object',
        properties: {
          day: { type: 'string', description: 'YYYY-MM-DD (UTC)' },
          payments: count('payments created'),
          paid: count('of them, paid (PAID or REFUNDED now): paid / payments is the success rate'),
          closed: count('of them, closed unpaid'),
          refundsSucceeded: count('refunds asked for that day and succeeded'),
          refundsFailed: count('refunds that failed'),
          refundsPending: count('refunds still running'),
          refunded: { type: 'string', description: 'what the succeeded refunds gave back, yuan' },
        },
        required: ['day', 'payments', 'paid', 'closed', 'refundsSucceeded', 'refundsFailed', 'refundsPending', 'refunded'],
      },
    },
  },
  required: ['days'],
} as const;

/** The QR code as an SVG data: URL, so that any client can show it without a QR library. */
export async function qrImageOf(content: string): Promise<string> {
  const svg = await QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
