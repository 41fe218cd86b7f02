/** Thin gRPC handlers: decode, call one domain function, map the result. */
import { orThrow, type Logger, type ServiceHandlers, type SnowflakeGenerator, type orderContract } from '@shop/common';
import { clearCart, getCart, mergeCart, putCartItem, removeCartItem, type CartDeps } from '../domain/cart';
import { cancelOrder, confirmReceipt, getOrder, listOrders, shipOrder } from '../domain/orders';
import { STATUS_FROM_PROTO } from '../domain/order-view';
import { placeOrder, type PlacementDeps } from '../domain/placement';
import type { OrderStore } from '../store/order-store';
import { faultHook } from './fault-hook';

export interface OrderHandlerDeps {
  store: OrderStore;
  ids: SnowflakeGenerator;
  placement: PlacementDeps;
  cart: CartDeps;
  faultInjection: boolean;
  logger: Logger;
}

export function orderHandlers({ store, ids, placement, cart, faultInjection, logger }: OrderHandlerDeps): ServiceHandlers<typeof orderContract.definition> {
  return {
    placeOrder: async (request, context) => orThrow(await placeOrder(placement, request, faultHook(faultInjection, context, logger))),
    getOrder: async ({ orderId, userId }) => orThrow(await getOrder(store, orderId, userId)),
    listOrders: async ({ userId, status, page, size }) => orThrow(await listOrders(store, { userId, status: STATUS_FROM_PROTO.get(status), page, size })),
    cancelOrder: async (request) => orThrow(await cancelOrder(store, ids, request)),
    shipOrder: async (request) => orThrow(await shipOrder(store, request)),
    confirmReceipt: async (request) => orThrow(await confirmReceipt(store, request)),
    getCart: async ({ userId }) => orThrow(await getCart(cart, userId)),
    putCartItem: async ({ userId, goodsId, quantity, checked }) => orThrow(await putCartItem(cart, userId, { goodsId, quantity, checked })),
    removeCartItem: async ({ userId, goodsId }) => orThrow(await removeCartItem(cart, userId, goodsId)),
    clearCart: async ({ userId }) => orThrow(await clearCart(cart, userId)),
    mergeCart: async ({ userId, items }) => orThrow(await mergeCart(cart, userId, items)),
  };
}
