/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { AppError, ErrorCode, orThrow } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import type { ServiceHandlers } from '@shop/common/rpc';
import type { orderContract } from '@shop/contracts';
import { order as proto } from '@shop/proto';
import { decideAfterSales, listAfterSales, openAfterSales, type AfterSalesDeps, type AfterSalesView } from '../domain/after-sales';
import { clearCart, getCart, mergeCart, putCartItem, removeCartItem, type CartDeps } from '../domain/cart';
import { cancelOrder, confirmReceipt, getOrder, listOrders, shipOrder } from '../domain/orders';
import { orderStats } from '../domain/order-stats';
import { placeOrder, quoteOrder, type PlacementDeps } from '../domain/placement';
import { finishRefundWithin, holdRefund, type RefundPlan } from '../domain/refund-holds';
import type { OrderStore } from '../store/order-store';
import type { AfterSalesStatus, HoldKind } from '../domain/ports';
import { countPlacement } from '../order-metrics';
import { faultHook } from './fault-hook';
import { statusFromProto, toProtoCart, toProtoOrder } from './order-mapping';

export interface OrderHandlerDeps {
  store: OrderStore;
  ids: SnowflakeGenerator;
  placement: PlacementDeps;
  cart: CartDeps;
  afterSales: AfterSalesDeps;
  faultInjection: boolean;
  logger: Logger;
}

const HOLD_KIND = new Map<proto.RefundKind, HoldKind>([
  [proto.RefundKind.REFUND_CUSTOMER, 'CUSTOMER'],
  [proto.RefundKind.REFUND_AFTER_SALES, 'AFTER_SALES'],
]);

const AFTER_SALES_STATUS: Record<AfterSalesStatus, proto.AfterSalesStatus> = {
  OPEN: proto.AfterSalesStatus.AFTER_SALES_OPEN,
  APPROVED: proto.AfterSalesStatus.AFTER_SALES_APPROVED,
  REJECTED: proto.AfterSalesStatus.AFTER_SALES_REJECTED,
  REFUNDED: proto.AfterSalesStatus.AFTER_SALES_REFUNDED,
  REFUND_FAILED: proto.AfterSalesStatus.AFTER_SALES_REFUND_FAILED,
};
const AFTER_SALES_FROM_PROTO = new Map(Object.entries(AFTER_SALES_STATUS).map(([name, value]) => [value, name as AfterSalesStatus]));

const toAfterSales = (view: AfterSalesView): proto.AfterSales => ({ ...view, status: AFTER_SALES_STATUS[view.status] });
const toPlan = (plan: RefundPlan): proto.RefundPlan => ({ ...plan });

export function orderHandlers({
  store,
  ids,
  placement,
  cart,
  afterSales,
  faultInjection,
  logger,
}: OrderHandlerDeps): ServiceHandlers<typeof orderContract.definition> {
  return {
    placeOrder: async (request, context) =>
      toProtoOrder(orThrow(countPlacement(await placeOrder(placement, request, faultHook(faultInjection, context, logger))))),
    getOrder: async ({ orderId, userId }) => toProtoOrder(orThrow(await getOrder(store, orderId, userId))),
    quoteOrder: async (request) => orThrow(await quoteOrder(placement, request)),
    listOrders: async ({ status, ...request }) => {
      const { orders, total } = orThrow(await listOrders(store, { ...request, status: statusFromProto(status) }));
      return { orders: orders.map(toProtoOrder), total };
    },
    cancelOrder: async (request) => toProtoOrder(orThrow(await cancelOrder(store, ids, request))),
    shipOrder: async (request) => toProtoOrder(orThrow(await shipOrder(store, afterSales.refunds, request))),
    confirmReceipt: async (request) => toProtoOrder(orThrow(await confirmReceipt(store, request))),
    holdRefund: async ({ kind, ...request }) => {
      const holdKind = HOLD_KIND.get(kind);
      if (!holdKind) throw new AppError(ErrorCode.INVALID_ARGUMENT, 'kind must be REFUND_CUSTOMER or REFUND_AFTER_SALES');
      return toPlan(orThrow(await holdRefund(afterSales, { ...request, kind: holdKind })));
    },
    finishRefund: async ({ refundId, status, reason }) => {
      if (status !== 'SUCCEEDED' && status !== 'FAILED') throw new AppError(ErrorCode.INVALID_ARGUMENT, 'status must be SUCCEEDED or FAILED');
      if (!isSnowflakeId(refundId)) throw new AppError(ErrorCode.INVALID_ARGUMENT, 'invalid refund id');
      return { outcome: await store.transaction((tx) => finishRefundWithin(afterSales, tx, { refundId, status, reason })) };
    },
    openAfterSales: async (request) => toAfterSales(orThrow(await openAfterSales(afterSales, request))),
    listAfterSales: async ({ status, ...request }) => {
      const { items, total } = orThrow(await listAfterSales(afterSales, { ...request, status: AFTER_SALES_FROM_PROTO.get(status) }));
      return { items: items.map(toAfterSales), total };
    },
    decideAfterSales: async (request) => toAfterSales(orThrow(await decideAfterSales(afterSales, request))),
    orderStats: async (request) => ({ days: orThrow(await orderStats(store, request)) }),
    getCart: async ({ userId }) => toProtoCart(orThrow(await getCart(cart, userId))),
    putCartItem: async ({ userId, goodsId, quantity, checked }) => toProtoCart(orThrow(await putCartItem(cart, userId, { goodsId, quantity, checked }))),
    removeCartItem: async ({ userId, goodsId }) => toProtoCart(orThrow(await removeCartItem(cart, userId, goodsId))),
    clearCart: async ({ userId }) => toProtoCart(orThrow(await clearCart(cart, userId))),
    mergeCart: async ({ userId, items }) => toProtoCart(orThrow(await mergeCart(cart, userId, items))),
  };
}
