/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { AppError, ErrorCode, orThrow, type Logger, type ServiceHandlers, type SnowflakeGenerator, type orderContract } from '@shop/common';
import { cancelOrder, confirmReceipt, getOrder, listOrders, shipOrder } from '../domain/orders';
import { STATUS_FROM_PROTO } from '../domain/order-view';
import { placeOrder, type PlacementDeps } from '../domain/placement';
import type { OrderStore } from '../store/order-store';
import { faultHook } from './fault-hook';

export interface OrderHandlerDeps {
  store: OrderStore;
  ids: SnowflakeGenerator;
  placement: PlacementDeps;
  faultInjection: boolean;
  logger: Logger;
}

const cartComesLater = async (): Promise<never> => {
  throw new AppError(ErrorCode.UNAVAILABLE, 'the cart is not available yet');
};

export function orderHandlers({ store, ids, placement, faultInjection, logger }: OrderHandlerDeps): ServiceHandlers<typeof orderContract.definition> {
  return {
    placeOrder: async (request, context) => {
      if (request.fromCart) throw new AppError(ErrorCode.INVALID_ARGUMENT, 'ordering from the cart is not available yet');
      return orThrow(await placeOrder(placement, request, faultHook(faultInjection, context, logger)));
    },
    getOrder: async ({ orderId, userId }) => orThrow(await getOrder(store, orderId, userId)),
    listOrders: async ({ userId, status, page, size }) => orThrow(await listOrders(store, { userId, status: STATUS_FROM_PROTO.get(status), page, size })),
    cancelOrder: async (request) => orThrow(await cancelOrder(store, ids, request)),
    shipOrder: async ({ orderId }) => orThrow(await shipOrder(store, orderId)),
    confirmReceipt: async (request) => orThrow(await confirmReceipt(store, request)),
    getCart: cartComesLater,
    putCartItem: cartComesLater,
    removeCartItem: cartComesLater,
    clearCart: cartComesLater,
    mergeCart: cartComesLater,
  };
}
