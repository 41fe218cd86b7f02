import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { FAULT_HEADER, idempotencyHeaders, idString, isFault, MAX_LINES, MAX_QUANTITY, Metadata, moneyString, object, pageQuery, params, principalOf, requireUser, type CallOptions, type TokenService } from '@shop/common';
import { order } from '@shop/proto';
import type { Services } from '../clients';
import { ORDER_STATUSES, orderView } from '../views';

interface PlaceOrderBody {
  items: { goodsId: string; quantity: number }[];
  couponId?: string;
  balance?: string;
  address: string;
  consignee: string;
}

const placeOrderBody = object(
  {
    items: { type: 'array', minItems: 1, maxItems: MAX_LINES, items: object({ goodsId: idString, quantity: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY } }) },
    couponId: idString,
    balance: moneyString,
    address: { type: 'string', minLength: 1, maxLength: 200 },
    consignee: { type: 'string', minLength: 1, maxLength: 50 },
  },
  ['items', 'address', 'consignee'],
);

const listQuery = object({ status: { type: 'string', enum: [...ORDER_STATUSES] }, page: pageQuery, size: pageQuery }, []);

export function orderRoutes(app: FastifyInstance, services: Services, tokens: TokenService, faultInjection: boolean): void {
  const preHandler = requireUser(tokens);

  /** Test-only: forwards x-shop-fault to the order service when fault injection is on. */
  const callOptions = (request: FastifyRequest): CallOptions | undefined => {
    const fault = request.headers[FAULT_HEADER];
    if (!faultInjection || !isFault(fault)) return undefined;
    const metadata = new Metadata();
    metadata.set(FAULT_HEADER, fault);
    return { metadata };
  };

  app.post<{ Body: PlaceOrderBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/orders',
    { preHandler, schema: { body: placeOrderBody, headers: idempotencyHeaders } },
    async (request, reply) => {
      const { items, couponId, balance, address, consignee } = request.body;
      const placed = await services.order.placeOrder(
        {
          userId: principalOf(request).userId,
          lines: items.map((item) => ({ goodsId: item.goodsId, quantity: item.quantity, name: '', price: '' })),
          fromCart: false,
          couponId: couponId ?? '',
          balance: balance ?? '0',
          address,
          consignee,
          idempotencyKey: request.headers['idempotency-key'] ?? '',
        },
        callOptions(request),
      );
      return reply.status(201).send(orderView(placed));
    },
  );

  app.get<{ Querystring: { status?: string; page?: string; size?: string } }>('/api/v1/orders', { preHandler, schema: { querystring: listQuery } }, async (request) => {
    const { status, page, size } = request.query;
    const { orders, total } = await services.order.listOrders({
      userId: principalOf(request).userId,
      status: status ? order.orderStatusFromJSON(status) : order.OrderStatus.ORDER_STATUS_UNSPECIFIED,
      page: Number(page ?? 1),
      size: Number(size ?? 20),
    });
    return { items: orders.map(orderView), total };
  });

  app.get<{ Params: { orderId: string } }>('/api/v1/orders/:orderId', { preHandler, schema: { params: params('orderId') } }, async (request) =>
    orderView(await services.order.getOrder({ orderId: request.params.orderId, userId: principalOf(request).userId })),
  );

  app.post<{ Params: { orderId: string }; Body: { reason?: string } | undefined }>(
    '/api/v1/orders/:orderId/cancel',
    { preHandler, schema: { params: params('orderId'), body: { anyOf: [{ type: 'null' }, object({ reason: { type: 'string', maxLength: 200 } }, [])] } } },
    async (request) =>
      orderView(await services.order.cancelOrder({ orderId: request.params.orderId, userId: principalOf(request).userId, reason: request.body?.reason ?? '' })),
  );

  app.post<{ Params: { orderId: string } }>('/api/v1/orders/:orderId/receipt', { preHandler, schema: { params: params('orderId') } }, async (request) =>
    orderView(await services.order.confirmReceipt({ orderId: request.params.orderId, userId: principalOf(request).userId })),
  );
}
