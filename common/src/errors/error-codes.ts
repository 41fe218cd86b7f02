/**
 * Stable, machine-readable error codes. Clients match on `code`; the message is for people.
 * One table maps each code to its gRPC status and HTTP status, so the services and the front
 * doors cannot disagree.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

export const ErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  COUPON_UNAVAILABLE: 'COUPON_UNAVAILABLE',
  PRICE_CHANGED: 'PRICE_CHANGED',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  ORDER_STATE: 'ORDER_STATE',
  CART_EMPTY: 'CART_EMPTY',
  PAYMENT_STATE: 'PAYMENT_STATE',
  REFUND_IN_PROGRESS: 'REFUND_IN_PROGRESS',
  AFTER_SALES_STATE: 'AFTER_SALES_STATE',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  RELEASED: 'RELEASED',
  UNAVAILABLE: 'UNAVAILABLE',
  CHANNEL_UNAVAILABLE: 'CHANNEL_UNAVAILABLE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  INVALID_IMAGE: 'INVALID_IMAGE',
  USER_BANNED: 'USER_BANNED',
  USER_STATE: 'USER_STATE',
  ADDRESS_BOOK_FULL: 'ADDRESS_BOOK_FULL',
  ADDRESS_REQUIRED: 'ADDRESS_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  CALLER_NOT_ALLOWED: 'CALLER_NOT_ALLOWED',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

interface Mapping {
  grpc: GrpcStatus;
  http: number;
}

export const ERROR_MAPPING: Readonly<Record<ErrorCode, Mapping>> = {
  INVALID_ARGUMENT: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400 },
  UNAUTHENTICATED: { grpc: GrpcStatus.UNAUTHENTICATED, http: 401 },
  FORBIDDEN: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403 },
  NOT_FOUND: { grpc: GrpcStatus.NOT_FOUND, http: 404 },
  ALREADY_EXISTS: { grpc: GrpcStatus.ALREADY_EXISTS, http: 409 },
  INSUFFICIENT_STOCK: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  COUPON_UNAVAILABLE: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // A goods' price moved between the order's pricing and its stock reservation: nothing is kept.
  PRICE_CHANGED: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  INSUFFICIENT_BALANCE: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  ORDER_STATE: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // Checkout from a cart with no checked line.
  CART_EMPTY: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  PAYMENT_STATE: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // Another refund (or after-sales request) of the order is still being carried out.
  REFUND_IN_PROGRESS: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // An after-sales request that is not in a state allowing the action (reject an approved one).
  AFTER_SALES_STATE: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // An Idempotency-Key sent again with another request body: the first request stands.
  IDEMPOTENCY_KEY_REUSED: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // A reservation that arrives after its order was released (tombstone): never retried.
  RELEASED: { grpc: GrpcStatus.ABORTED, http: 409 },
  UNAVAILABLE: { grpc: GrpcStatus.UNAVAILABLE, http: 503 },
  // A payment channel down, switched off or refusing the amount; the message names the open ones.
  // FAILED_PRECONDITION, not UNAVAILABLE, in gRPC: the provider is fine, nothing to fail over.
  CHANNEL_UNAVAILABLE: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 503 },
  PAYLOAD_TOO_LARGE: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 413 },
  // A body of a type the route does not take (an upload that is not a picture).
  UNSUPPORTED_MEDIA_TYPE: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 415 },
  // Bytes that do not decode as a JPEG, PNG, WebP or GIF picture.
  INVALID_IMAGE: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400 },
  // A banned user signing in, or using a token issued before the ban.
  USER_BANNED: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403 },
  // A user whose kind or state does not allow the action (an admin cannot be banned).
  USER_STATE: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // The address book holds its maximum already.
  ADDRESS_BOOK_FULL: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409 },
  // An order with no address given and none in the address book.
  ADDRESS_REQUIRED: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400 },
  // More requests than a front door's rate limit allows (Retry-After says when to try again).
  RATE_LIMITED: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 429 },
  // A service refused the calling service (mutual TLS identity not among the method's callers):
  // the deployment is wrong, not the customer's request, hence a 500 if it ever reaches a front door.
  CALLER_NOT_ALLOWED: { grpc: GrpcStatus.PERMISSION_DENIED, http: 500 },
  INTERNAL: { grpc: GrpcStatus.INTERNAL, http: 500 },
};

/**
 * An expected failure, returned as a value by domain functions (Vendure style) and turned into a
 * gRPC status or an HTTP `{code, message}` at the edge. `detail` goes to logs only.
 */
export class DomainError {
  readonly kind = 'DomainError' as const;
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly detail?: Record<string, unknown>,
  ) {}
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

/** Thrown (not returned) when an expected failure must cross a boundary that only knows exceptions. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static from(error: DomainError): AppError {
    return new AppError(error.code, error.message, error.detail);
  }
}

/** At an edge that only knows exceptions (an RPC handler): a DomainError value becomes thrown. */
export function orThrow<T>(result: T | DomainError): T {
  if (result instanceof DomainError) throw AppError.from(result);
  return result;
}
