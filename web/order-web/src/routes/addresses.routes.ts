/**
 * The customer's address book (the user service keeps it: at most 20, exactly one default), and
 * how an order gets its delivery from it: `consignee` = "<recipient> <phone>", `address` =
 * "<region> <line>", in the order's own columns (the order service is unchanged).
 */
import type { FastifyInstance } from 'fastify';
import { documented, idempotencyHeaders, object, params, principalOf, requireUser, type TokenService } from '@shop/common/http';
import { AppError, ErrorCode } from '@shop/common/errors';
import type { user } from '@shop/proto';
import type { Services } from '../clients';
import { addressSchema, addressView } from '../views';

/** What an order keeps of its consignee (shop_order.consignee is VARCHAR(50)). */
export const CONSIGNEE_MAX = 50;

/** The fields of an address as the body states them: the user service's rules (it checks them again, trimmed). */
const addressFields = {
  recipient: { type: 'string', minLength: 1, maxLength: 32 },
  phone: { type: 'string', pattern: '^\\+?[0-9][0-9 -]{5,19}$', description: 'digits, spaces and "-", 6 to 21 characters, "+" first if any' },
  region: { type: 'string', minLength: 1, maxLength: 64, description: 'province, city, district' },
  line: { type: 'string', minLength: 1, maxLength: 200, description: 'street, building, door; with the region at most 199 characters (an order keeps 200)' },
  isDefault: { type: 'boolean', description: 'make it the default (false never takes the default away: make another one the default)' },
} as const;
const addressBody = object(addressFields, ['recipient', 'phone', 'region', 'line']);

interface AddressBody {
  recipient: string;
  phone: string;
  region: string;
  line: string;
  isDefault?: boolean;
}

/**
 * An order's delivery from an address book entry. The user service keeps "<region> <line>" within
 * the order's 200 characters. "<recipient> <phone>" may exceed the order's 50 (32 + 1 + 21): the
 * phone is then written without its spaces and dashes, and if that is not enough the recipient's
 * name is cut and ends with "…"; the phone is never cut.
 */
export function deliveryOf(entry: Pick<user.Address, 'recipient' | 'phone' | 'region' | 'line'>): { address: string; consignee: string } {
  const address = `${entry.region} ${entry.line}`;
  let phone = entry.phone;
  if (entry.recipient.length + 1 + phone.length > CONSIGNEE_MAX) phone = phone.replace(/[ -]/g, '');
  let recipient = entry.recipient;
  const room = CONSIGNEE_MAX - 1 - phone.length;
  if (recipient.length > room) {
    let kept = '';
    // Whole code points only (a string iterates by them), one unit left for the ellipsis.
    for (const character of recipient) {
      if (kept.length + character.length > room - 1) break;
      kept += character;
    }
    recipient = `${kept.trimEnd()}…`;
  }
  return { address, consignee: `${recipient} ${phone}` };
}

/**
 * The delivery of an order or a quote: the address book entry `addressId` (404 unless the user's),
 * or `address` and `consignee` as given, or the user's default address; none of them: 400
 * ADDRESS_REQUIRED.
 */
export async function deliveryFor(
  services: Services,
  userId: string,
  body: { addressId?: string; address?: string; consignee?: string },
): Promise<{ address: string; consignee: string }> {
  const given = body.address !== undefined || body.consignee !== undefined;
  if (body.addressId !== undefined) {
    if (given) throw new AppError(ErrorCode.INVALID_ARGUMENT, 'send addressId, or address and consignee, not both');
    return deliveryOf(await services.user.getAddress({ userId, addressId: body.addressId }));
  }
  if (given) {
    if (body.address === undefined || body.consignee === undefined) throw new AppError(ErrorCode.INVALID_ARGUMENT, 'address and consignee go together');
    return { address: body.address, consignee: body.consignee };
  }
  const chosen = (await services.user.listAddresses({ userId })).items.find((entry) => entry.isDefault);
  if (!chosen) {
    throw new AppError(ErrorCode.ADDRESS_REQUIRED, 'no address: send addressId, or address and consignee, or add an address to the address book first');
  }
  return deliveryOf(chosen);
}

export function addressRoutes(app: FastifyInstance, services: Services, tokens: TokenService): void {
  const preHandler = requireUser(tokens);
  const description = 'At most 20 addresses (409 ADDRESS_BOOK_FULL beyond); exactly one is the default while there are any. Another user’s address is 404.';

  app.get(
    '/api/v1/addresses',
    {
      preHandler,
      schema: documented('addresses', "The user's address book, the default first, then newest first", {
        auth: true,
        response: { type: 'object', properties: { items: { type: 'array', items: addressSchema } }, required: ['items'] },
        description,
      }),
    },
    async (request) => ({ items: (await services.user.listAddresses({ userId: principalOf(request).userId })).items.map(addressView) }),
  );

  app.post<{ Body: AddressBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/addresses',
    {
      preHandler,
      schema: {
        ...documented('addresses', 'Add an address (the first one is the default)', {
          auth: true,
          status: 201,
          response: addressSchema,
          description: `${description} The same Idempotency-Key returns the address it created.`,
        }),
        headers: idempotencyHeaders,
        body: addressBody,
      },
    },
    async (request, reply) => {
      const saved = await services.user.saveAddress({
        userId: principalOf(request).userId,
        addressId: '',
        requestId: request.headers['idempotency-key'] ?? '',
        ...request.body,
        isDefault: request.body.isDefault === true,
      });
      return reply.status(201).send(addressView(saved));
    },
  );

  app.put<{ Params: { addressId: string }; Body: AddressBody }>(
    '/api/v1/addresses/:addressId',
    {
      preHandler,
      schema: {
        ...documented('addresses', 'Replace an address; isDefault: true makes it the default', { auth: true, response: addressSchema, description }),
        params: params('addressId'),
        body: addressBody,
      },
    },
    async (request) =>
      addressView(
        await services.user.saveAddress({
          userId: principalOf(request).userId,
          addressId: request.params.addressId,
          requestId: '',
          ...request.body,
          isDefault: request.body.isDefault === true,
        }),
      ),
  );

  app.delete<{ Params: { addressId: string } }>(
    '/api/v1/addresses/:addressId',
    {
      preHandler,
      schema: {
        ...documented('addresses', 'Delete an address (the newest remaining one becomes the default if it was)', {
          auth: true,
          status: 204,
          response: { type: 'null', description: 'deleted' },
          description,
        }),
        params: params('addressId'),
      },
    },
    async (request, reply) => {
      const userId = principalOf(request).userId;
      // 404 unless it is the user's; then the delete, which a retried call repeats harmlessly.
      await services.user.getAddress({ userId, addressId: request.params.addressId });
      await services.user.deleteAddress({ userId, addressId: request.params.addressId });
      return reply.status(204).send();
    },
  );
}
