import type { FastifyInstance } from 'fastify';
import {
  documented,
  idempotencyHeaders,
  idString,
  moneyString,
  object,
  pageQuery,
  params,
  byUser,
  limitedBy,
  principalOf,
  requireUser,
  type TokenService,
} from '@shop/common/http';
import { faultCallOptions, MAX_LINES, MAX_QUANTITY } from '@shop/contracts';
import { order } from '@shop/proto';
import type { Services } from '../clients';
import { deliveryFor } from './addresses.routes';
import { ORDER_STATUSES, orderDetailSchema, orderDetailView, orderSchema, orderView, pageOf, quoteSchema, quoteView } from '../views';

interface PlaceOrderBody {
  items?: { goodsId: string; quantity: number }[];
  fromCart?: true;
  couponId?: string;
  balance?: string;
  address?: string;
  consignee?: string;
  /** An address book entry: becomes the order's consignee and address. */
  addressId?: string;
}

const pricedProperties = {
  items: {
    type: 'array',
    minItems: 1,
    maxItems: MAX_LINES,
    items: object({ goodsId: idString, quantity: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY } }),
  },
  fromCart: { type: 'boolean', enum: [true], description: "order the cart's checked lines; they leave the cart once the order is confirmed" },
  couponId: idString,
  balance: { ...moneyString, description: 'balance to use, at most what the order costs' },
} as const;

/** Either `items` or `fromCart: true` (the cart's checked lines), never both. */
const eitherLinesOrCart = [{ required: ['items'] }, { required: ['fromCart'] }] as const;

const addressId = { ...idString, description: "an entry of the user's address book (404 unless theirs)" } as const;

/** The delivery: `addressId`, or `address` with `consignee`, or neither (the default address of the address book). */
const placeOrderBody = {
  ...object(
    {
      ...pricedProperties,
      address: { type: 'string', minLength: 1, maxLength: 200 },
      consignee: { type: 'string', minLength: 1, maxLength: 50 },
      addressId,
    },
    [],
  ),
  oneOf: eitherLinesOrCart,
} as const;

const quoteBody = { ...object({ ...pricedProperties, addressId }, []), oneOf: eitherLinesOrCart } as const;

/** The lines, cart flag, coupon and balance of a body, as the order service takes them. */
const pricedRequest = ({ items, fromCart, couponId, balance }: Omit<PlaceOrderBody, 'address' | 'consignee'>) => ({
  lines: (items ?? []).map((item) => ({ goodsId: item.goodsId, quantity: item.quantity })),
  fromCart: fromCart === true,
  couponId: couponId ?? '',
  balance: balance ?? '0',
});

const listQuery = object({ status: { type: 'string', enum: [...ORDER_STATUSES] }, page: pageQuery, size: pageQuery }, []);

export function orderRoutes(app: FastifyInstance, services: Services, tokens: TokenService, faultInjection: boolean): void {
  const preHandler = requireUser(tokens);

  app.post<{ Body: PlaceOrderBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/orders',
    {
      preHandler: [preHandler, limitedBy({ name: 'ordersPerUser', key: byUser })],
      schema: {
        ...documented('orders', 'Place an order (stock, coupon and balance reserved; CONFIRMED, or PAID when nothing is left to pay)', {
          auth: true,
          status: 201,
          response: orderDetailSchema,
          description:
            'A refusal (stock, coupon, balance) changes nothing. The same Idempotency-Key with the same request returns the same order; with another request, 409 IDEMPOTENCY_KEY_REUSED. Delivery: addressId (an address book entry: consignee "<recipient> <phone>", address "<region> <line>"), or address and consignee, or neither for the default address; no address at all: 400 ADDRESS_REQUIRED.',
        }),
        body: placeOrderBody,
        headers: idempotencyHeaders,
      },
    },
    async (request, reply) => {
      const { address, consignee } = await deliveryFor(services, principalOf(request).userId, request.body);
      const placed = await services.order.placeOrder(
        {
          userId: principalOf(request).userId,
          ...pricedRequest(request.body),
          address,
          consignee,
          idempotencyKey: request.headers['idempotency-key'] ?? '',
        },
        faultCallOptions(request.headers, faultInjection),
      );
      return reply.status(201).send(orderDetailView(placed));
    },
  );

  app.post<{ Body: Omit<PlaceOrderBody, 'address' | 'consignee'> }>(
    '/api/v1/orders/quote',
    {
      preHandler,
      schema: {
        ...documented('orders', 'Price an order before placing it (goods, shipping, coupon, balance, what is left to pay)', {
          auth: true,
          response: quoteSchema,
          description:
            'Refuses what placing would refuse before reserving (goods not found or off sale, a coupon not yours or used, balance too low or more than is due), with the same codes; an addressId not of your address book is 404. Nothing is reserved: stock may still run out before the order is placed.',
        }),
        body: quoteBody,
      },
    },
    async (request) => {
      const userId = principalOf(request).userId;
      if (request.body.addressId !== undefined) await services.user.getAddress({ userId, addressId: request.body.addressId });
      return quoteView(await services.order.quoteOrder({ userId, ...pricedRequest(request.body) }));
    },
  );

  app.get<{ Querystring: { status?: string; page?: string; size?: string } }>(
    '/api/v1/orders',
    {
      preHandler,
      schema: {
        ...documented('orders', "The user's orders, newest first", {
          auth: true,
          response: pageOf(orderSchema),
          description: 'Attempts refused at placement are left out (an admin sees them).',
        }),
        querystring: listQuery,
      },
    },
    async (request) => {
      const { status, page, size } = request.query;
      const { orders, total } = await services.order.listOrders({
        userId: principalOf(request).userId,
        status: status ? order.orderStatusFromJSON(status) : order.OrderStatus.ORDER_STATUS_UNSPECIFIED,
        page: Number(page ?? 1),
        size: Number(size ?? 20),
        includeRefused: false,
        createdFrom: '',
        createdTo: '',
      });
      return { items: orders.map(orderView), total };
    },
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId',
    {
      preHandler,
      schema: { ...documented('orders', 'One order with its status history', { auth: true, response: orderDetailSchema }), params: params('orderId') },
    },
    async (request) => orderDetailView(await services.order.getOrder({ orderId: request.params.orderId, userId: principalOf(request).userId })),
  );

  app.post<{ Params: { orderId: string }; Body: { reason?: string } | undefined }>(
    '/api/v1/orders/:orderId/cancel',
    {
      preHandler,
      schema: {
        ...documented('orders', 'Cancel an unpaid order (everything it took is given back)', { auth: true, response: orderDetailSchema }),
        params: params('orderId'),
        body: { anyOf: [{ type: 'null' }, object({ reason: { type: 'string', maxLength: 200 } }, [])] },
      },
    },
    async (request) =>
      orderDetailView(
        await services.order.cancelOrder({
          orderId: request.params.orderId,
          userId: principalOf(request).userId,
          reason: request.body?.reason ?? '',
          operatorId: '',
        }),
      ),
  );

  app.post<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId/receipt',
    {
      preHandler,
      schema: {
        ...documented('orders', 'Confirm receipt of a shipped order (SHIPPED -> COMPLETED)', { auth: true, response: orderDetailSchema }),
        params: params('orderId'),
      },
    },
    async (request) => orderDetailView(await services.order.confirmReceipt({ orderId: request.params.orderId, userId: principalOf(request).userId })),
  );
}
