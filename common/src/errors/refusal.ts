/**
 * Refusing from inside a transaction's work: the refusal is thrown, so the transaction rolls back
 * whatever the work wrote, and `refusable` turns it back into the DomainError value the domain
 * answers with. Any other error passes through.
 */
import { DomainError, type ErrorCode } from './error-codes';

export class Refusal extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

export function refuse(code: ErrorCode, message: string): never;
export function refuse(error: DomainError): never;
export function refuse(codeOrError: ErrorCode | DomainError, message?: string): never {
  throw new Refusal(codeOrError instanceof DomainError ? codeOrError : new DomainError(codeOrError, message!));
}

/** The work's result, or the DomainError it refused with. */
export async function refusable<T>(work: Promise<T>): Promise<T | DomainError> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Refusal) return error.error;
    throw error;
  }
}
