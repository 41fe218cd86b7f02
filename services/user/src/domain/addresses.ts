/**
 * The address book: at most ADDRESS_BOOK_MAX addresses per user, and exactly one default whenever
 * the user has any (the first is the default; saving one as the default moves it; deleting the
 * default makes the newest remaining one the default). Every change runs in one transaction that
 * first locks the user's row, so concurrent saves and deletes of one user queue and each sees
 * what the previous one left: the limit and the one default hold under concurrency.
 */
import { withDeadlockRetry } from '@shop/common/db';
import { DomainError, ErrorCode, refusable, refuse } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { AddressFields, AddressRow, Tx, UserRepository } from './ports';

export const ADDRESS_BOOK_MAX = 20;

/**
 * An order keeps its address in 200 characters ("<region> <line>"): an address book entry always
 * fits, so an order placed with it never loses part of its address.
 */
export const ORDER_ADDRESS_MAX = 200;

export interface Address {
  addressId: string;
  recipient: string;
  phone: string;
  /** Province, city, district. */
  region: string;
  /** Street, building, door. */
  line: string;
  isDefault: boolean;
}

export interface AddressInput extends AddressFields {
  userId: string;
  /** Empty to create. */
  addressId: string;
  /** Creation only: the same request id returns the address it created. */
  requestId: string;
  isDefault: boolean;
}

export const toAddress = (row: AddressRow): Address => ({
  addressId: row.id,
  recipient: row.recipient,
  phone: row.phone,
  region: row.region,
  line: row.line,
  isDefault: row.is_default === 1,
});

const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;
const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;
// Control characters (a newline, a tab) have no place on a parcel's label.
const CONTROL = /\p{Cc}/u;

/** Characters as MySQL and the API's schemas count them (code points, not UTF-16 units). */
const characters = (text: string) => [...text].length;

function text(name: string, value: string, max: number): string | DomainError {
  const trimmed = value.trim();
  if (characters(trimmed) < 1 || characters(trimmed) > max) return new DomainError(ErrorCode.INVALID_ARGUMENT, `${name} must be 1 to ${max} characters`);
  if (CONTROL.test(trimmed)) return new DomainError(ErrorCode.INVALID_ARGUMENT, `${name} must not contain control characters`);
  return trimmed;
}

/** The fields, trimmed and checked. */
export function checkAddress(input: AddressFields): AddressFields | DomainError {
  const recipient = text('recipient', input.recipient, 32);
  if (recipient instanceof DomainError) return recipient;
  const phone = input.phone.trim();
  if (!PHONE.test(phone))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'phone must be 6 to 21 digits, spaces or "-", starting with a digit or "+" and a digit');
  const region = text('region', input.region, 64);
  if (region instanceof DomainError) return region;
  const line = text('line', input.line, 200);
  if (line instanceof DomainError) return line;
  // The order service counts UTF-16 units; so does this check.
  if (region.length + 1 + line.length > ORDER_ADDRESS_MAX)
    return new DomainError(
      ErrorCode.INVALID_ARGUMENT,
      `region and line together must be at most ${ORDER_ADDRESS_MAX - 1} characters (an order's address holds ${ORDER_ADDRESS_MAX})`,
    );
  return { recipient, phone, region, line };
}

export async function listAddresses(store: UserRepository, userId: string): Promise<Address[] | DomainError> {
  if (!isSnowflakeId(userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  return (await store.listAddresses(userId)).map(toAddress);
}

/** NOT_FOUND unless the address is the user's. */
export async function getAddress(store: UserRepository, input: { userId: string; addressId: string }): Promise<Address | DomainError> {
  if (!isSnowflakeId(input.userId) || !isSnowflakeId(input.addressId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user or address id');
  const row = await store.findAddress(input.userId, input.addressId);
  return row ? toAddress(row) : new DomainError(ErrorCode.NOT_FOUND, `address ${input.addressId} not found`);
}

/** Runs `work` with the user's row locked; NOT_FOUND when there is no such user. */
function underUserLock<T>(store: UserRepository, userId: string, work: (tx: Tx) => Promise<T>): Promise<T | DomainError> {
  return refusable(
    withDeadlockRetry(() =>
      store.transaction(async (tx) => {
        if (!(await store.lockUser(tx, userId))) refuse(ErrorCode.NOT_FOUND, `user ${userId} not found`);
        return work(tx);
      }),
    ),
  );
}

/**
 * Creates an address (no address id; the same request id returns the address it created) or
 * replaces one of the user's (NOT_FOUND otherwise). `isDefault` makes it the default and the
 * others not; false never takes the default away (there is always one while there are any:
 * make another address the default instead). The first address is the default. A creation
 * beyond ADDRESS_BOOK_MAX is refused (ADDRESS_BOOK_FULL).
 */
export async function saveAddress(store: UserRepository, ids: SnowflakeGenerator, input: AddressInput): Promise<Address | DomainError> {
  if (!isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
  if (input.addressId && !isSnowflakeId(input.addressId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid address id');
  if (!input.addressId && input.requestId && !REQUEST_ID.test(input.requestId))
    return new DomainError(ErrorCode.INVALID_ARGUMENT, 'a request id (Idempotency-Key) is 1 to 64 visible characters');
  const fields = checkAddress(input);
  if (fields instanceof DomainError) return fields;
  const write = async (tx: Tx): Promise<string> => {
    if (input.addressId) {
      if (!(await store.findAddress(input.userId, input.addressId, tx))) refuse(ErrorCode.NOT_FOUND, `address ${input.addressId} not found`);
      await store.updateAddress(tx, input.userId, input.addressId, fields);
      if (input.isDefault) await store.setDefaultAddress(tx, input.userId, input.addressId);
      return input.addressId;
    }
    const requestId = input.requestId || null;
    if (requestId) {
      const created = await store.findAddressByRequest(tx, input.userId, requestId);
      if (created) return created.id;
    }
    const book = await store.listAddresses(input.userId, tx);
    if (book.length >= ADDRESS_BOOK_MAX) refuse(ErrorCode.ADDRESS_BOOK_FULL, `an address book holds at most ${ADDRESS_BOOK_MAX} addresses; delete one first`);
    const id = ids.next();
    const isDefault = input.isDefault || book.length === 0;
    await store.insertAddress(tx, { ...fields, id, userId: input.userId, isDefault: false, requestId });
    if (isDefault) await store.setDefaultAddress(tx, input.userId, id);
    return id;
  };
  // The answer is read in the same transaction: read after the commit, a delete of the address
  // right then (another request of the user) left nothing to answer with, a 500.
  const saved = await underUserLock(store, input.userId, async (tx) => (await store.findAddress(input.userId, await write(tx), tx))!);
  if (saved instanceof DomainError) return saved;
  return toAddress(saved);
}

/**
 * Removes one of the user's addresses; a repeat (or an address that is not the user's) removes
 * nothing. When the default goes, the newest remaining address becomes the default.
 */
export async function deleteAddress(store: UserRepository, input: { userId: string; addressId: string }): Promise<{ deleted: boolean } | DomainError> {
  if (!isSnowflakeId(input.userId) || !isSnowflakeId(input.addressId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid user or address id');
  return underUserLock(store, input.userId, async (tx) => {
    const row = await store.findAddress(input.userId, input.addressId, tx);
    if (!row) return { deleted: false };
    await store.deleteAddress(tx, input.userId, input.addressId);
    if (row.is_default === 1) {
      const newest = (await store.listAddresses(input.userId, tx)).reduce<AddressRow | undefined>(
        (best, other) => (!best || BigInt(other.id) > BigInt(best.id) ? other : best),
        undefined,
      );
      if (newest) await store.setDefaultAddress(tx, input.userId, newest.id);
    }
    return { deleted: true };
  });
}
