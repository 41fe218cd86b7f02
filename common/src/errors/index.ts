export { AppError, DomainError, ERROR_MAPPING, ErrorCode, isDomainError, orThrow } from './error-codes';
export { refusable, refuse, Refusal } from './refusal';
