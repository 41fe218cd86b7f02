/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { AppError, ErrorCode, orThrow, type payContract, type ServiceHandlers } from '@shop/common';
import { pay } from '@shop/proto';
import { handleNotification } from '../domain/notifications';
import { createPayment, getPayment, type PaymentDeps, type PaymentView } from '../domain/payments';
import { reconcile } from '../domain/reconciliation';
import { refund, type RefundDeps } from '../domain/refunds';

const STATUS: Record<PaymentView['status'], pay.PaymentStatus> = {
  UNPAID: pay.PaymentStatus.UNPAID,
  PAID: pay.PaymentStatus.PAID,
  CLOSED: pay.PaymentStatus.CLOSED,
  REFUNDED: pay.PaymentStatus.REFUNDED,
};

const toPayment = (view: PaymentView): pay.Payment => ({ ...view, status: STATUS[view.status] });

export function payHandlers(deps: PaymentDeps & RefundDeps): ServiceHandlers<typeof payContract.definition> {
  return {
    createPayment: async ({ orderId, userId, channel }) => {
      if (channel !== pay.Channel.ALIPAY_QR) throw new AppError(ErrorCode.INVALID_ARGUMENT, 'channel must be ALIPAY_QR');
      return toPayment(orThrow(await createPayment(deps, { orderId, userId })));
    },
    getPayment: async (request) => toPayment(orThrow(await getPayment(deps.store, request))),
    handleAlipayNotify: async ({ fields }) => ({ reply: await handleNotification(deps, fields) }),
    refund: async (request) => orThrow(await refund(deps, request)),
    reconcile: async ({ date }) => orThrow(await reconcile(deps, date)),
  };
}
