/**
 * One mapping between the shop's error codes and gRPC statuses, used by both ends: the server
 * sends the stable code in the `x-error-code` trailer, the client turns it back into an AppError.
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { AppError, ERROR_MAPPING, ErrorCode } from '../errors';

export const ERROR_CODE_KEY = 'x-error-code';

/** A failed RPC as the caller sees it: the shop's code, the gRPC status, a safe message. */
export class RpcError extends AppError {
  constructor(
    code: ErrorCode,
    readonly grpcCode: GrpcStatus,
    message: string,
  ) {
    super(code, message);
    this.name = 'RpcError';
  }
}

const FROM_GRPC: Partial<Record<GrpcStatus, ErrorCode>> = {
  [GrpcStatus.INVALID_ARGUMENT]: ErrorCode.INVALID_ARGUMENT,
  [GrpcStatus.UNAUTHENTICATED]: ErrorCode.UNAUTHENTICATED,
  [GrpcStatus.PERMISSION_DENIED]: ErrorCode.FORBIDDEN,
  [GrpcStatus.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [GrpcStatus.ALREADY_EXISTS]: ErrorCode.ALREADY_EXISTS,
  [GrpcStatus.UNAVAILABLE]: ErrorCode.UNAVAILABLE,
  [GrpcStatus.DEADLINE_EXCEEDED]: ErrorCode.UNAVAILABLE,
};

/** Server side: the status and trailer that carry an error to the caller. */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: GrpcStatus } {
  const metadata = new Metadata();
  if (error instanceof AppError) {
    metadata.set(ERROR_CODE_KEY, error.code);
    return { code: ERROR_MAPPING[error.code].grpc, details: error.message, metadata };
  }
  metadata.set(ERROR_CODE_KEY, ErrorCode.INTERNAL);
  // The cause stays in the server's log; the caller learns only that it failed.
  return { code: GrpcStatus.INTERNAL, details: 'internal error', metadata };
}

/** Client side: the RpcError for a failed call. */
export function fromServiceError(error: ServiceError): RpcError {
  const sent = error.metadata?.get(ERROR_CODE_KEY)[0];
  const code = typeof sent === 'string' && sent in ERROR_MAPPING ? (sent as ErrorCode) : (FROM_GRPC[error.code] ?? ErrorCode.INTERNAL);
  return new RpcError(code, error.code, error.details || error.message);
}
