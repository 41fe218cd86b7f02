/** The order domain's views as proto messages, and the proto enums back as domain names. */
import { order as proto } from '@shop/proto';
import type { CartView } from '../domain/cart';
import type { OrderStatus } from '../domain/order-status';
import type { OrderView, StatusChangeView } from '../domain/order-view';

const STATUS_TO_PROTO: Record<OrderStatus, proto.OrderStatus> = {
  PENDING: proto.OrderStatus.PENDING,
  CONFIRMED: proto.OrderStatus.CONFIRMED,
  PAID: proto.OrderStatus.PAID,
  SHIPPED: proto.OrderStatus.SHIPPED,
  COMPLETED: proto.OrderStatus.COMPLETED,
  CANCELLED: proto.OrderStatus.CANCELLED,
  REFUNDED: proto.OrderStatus.REFUNDED,
};

/** The domain status a proto status filter names; undefined for UNSPECIFIED (no filter). */
export const statusFromProto = (status: proto.OrderStatus): OrderStatus | undefined =>
  (Object.keys(STATUS_TO_PROTO) as OrderStatus[]).find((name) => STATUS_TO_PROTO[name] === status);

const toProtoChange = (change: StatusChangeView): proto.StatusChange => ({
  ...change,
  fromStatus: change.fromStatus ? STATUS_TO_PROTO[change.fromStatus] : proto.OrderStatus.ORDER_STATUS_UNSPECIFIED,
  toStatus: STATUS_TO_PROTO[change.toStatus],
});

export const toProtoOrder = (order: OrderView): proto.Order => ({
  ...order,
  status: STATUS_TO_PROTO[order.status],
  history: order.history.map(toProtoChange),
});

/** The cart view has the proto shape already: the type is the mapping. */
export const toProtoCart = (cart: CartView): proto.Cart => cart;
