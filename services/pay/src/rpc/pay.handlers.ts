/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { AppError, ErrorCode, orThrow } from '@shop/common/errors';
import type { Logger } from '@shop/common/log';
import type { ServiceHandlers } from '@shop/common/rpc';
import type { payContract } from '@shop/contracts';
import { pay } from '@shop/proto';
import { handleNotification, type NotificationDeps } from '../domain/notifications';
import { createPayment, getPayment, listChannels, settleOrderPayment, type OrderSettlement, type PaymentDeps, type PaymentView } from '../domain/payments';
import { payStats } from '../domain/pay-stats';
import { reconcile } from '../domain/reconciliation';
import { listRefunds, requestRefund, type RefundRequestDeps, type RefundView } from '../domain/refunds';
import type { ChannelName, RefundKind, RefundStatus } from '../domain/ports';
import { refundFaultHook } from './refund-fault-hook';

const STATUS: Record<PaymentView['status'], pay.PaymentStatus> = {
  UNPAID: pay.PaymentStatus.UNPAID,
  PAID: pay.PaymentStatus.PAID,
  CLOSED: pay.PaymentStatus.CLOSED,
  REFUNDED: pay.PaymentStatus.REFUNDED,
};

const REFUND_STATUS: Record<RefundStatus, pay.RefundStatus> = {
  PENDING: pay.RefundStatus.REFUND_PENDING,
  SUCCEEDED: pay.RefundStatus.REFUND_SUCCEEDED,
  FAILED: pay.RefundStatus.REFUND_FAILED,
};

const REFUND_STATUS_FROM_PROTO = new Map(Object.entries(REFUND_STATUS).map(([name, value]) => [value, name as RefundStatus]));

const REFUND_KIND: Record<RefundKind, pay.RefundKind> = {
  CUSTOMER: pay.RefundKind.CUSTOMER,
  AFTER_SALES: pay.RefundKind.AFTER_SALES,
  PAYMENT_REJECTED: pay.RefundKind.PAYMENT_REJECTED,
};

const SETTLEMENT: Record<OrderSettlement, pay.Settlement> = {
  NO_PAYMENT: pay.Settlement.NO_PAYMENT,
  PAID: pay.Settlement.SETTLED_PAID,
  CLOSED: pay.Settlement.SETTLED_CLOSED,
  OPEN: pay.Settlement.SETTLEMENT_OPEN,
};

const CHANNEL: Record<ChannelName, pay.Channel> = { ALIPAY_QR: pay.Channel.ALIPAY_QR, WECHAT_NATIVE: pay.Channel.WECHAT_NATIVE };
const CHANNEL_FROM_PROTO = new Map(Object.entries(CHANNEL).map(([name, value]) => [value, name as ChannelName]));

const toPayment = (view: PaymentView): pay.Payment => ({ ...view, status: STATUS[view.status], channel: CHANNEL[view.channel] });
const toRefund = (view: RefundView): pay.Refund => ({ ...view, status: REFUND_STATUS[view.status], kind: REFUND_KIND[view.kind] });

export function payHandlers(
  deps: PaymentDeps & RefundRequestDeps & NotificationDeps & { faultInjection: boolean; logger: Logger },
): ServiceHandlers<typeof payContract.definition> {
  return {
    createPayment: async ({ orderId, userId, channel }) => {
      const name = CHANNEL_FROM_PROTO.get(channel);
      if (channel !== pay.Channel.CHANNEL_UNSPECIFIED && !name)
        throw new AppError(ErrorCode.INVALID_ARGUMENT, `channel must be one of ${Object.keys(CHANNEL).join(', ')}`);
      return toPayment(orThrow(await createPayment(deps, { orderId, userId, channel: name })));
    },
    listChannels: async (request) => ({
      channels: orThrow(await listChannels(deps, request)).map((option) => ({ ...option, channel: CHANNEL[option.channel] })),
    }),
    getPayment: async (request) => toPayment(orThrow(await getPayment(deps.store, request))),
    handleAlipayNotify: async ({ fields }) => ({
      reply: (await handleNotification(deps, 'ALIPAY_QR', { form: fields })) === 'ACK' ? 'success' : 'failure',
    }),
    handleWechatPayNotify: async ({ headers, body }) => {
      const accepted = (await handleNotification(deps, 'WECHAT_NATIVE', { headers, body })) === 'ACK';
      return { accepted, message: accepted ? '' : 'not accepted' };
    },
    requestRefund: async (request, context) =>
      toRefund(orThrow(await requestRefund(deps, request, refundFaultHook(deps.faultInjection, context, deps.logger)))),
    listRefunds: async ({ status, ...request }) => {
      const { refunds, total } = orThrow(await listRefunds(deps, { ...request, status: REFUND_STATUS_FROM_PROTO.get(status) }));
      return { refunds: refunds.map(toRefund), total };
    },
    payStats: async (request) => ({ days: orThrow(await payStats(deps, request)) }),
    reconcile: async ({ date }) => orThrow(await reconcile(deps, date)),
    settleOrderPayment: async ({ orderId }) => {
      const { settlement, paymentId } = orThrow(await settleOrderPayment(deps, orderId));
      return { settlement: SETTLEMENT[settlement], paymentId };
    },
  };
}
