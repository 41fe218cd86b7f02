export { AppError, DomainError, ERROR_MAPPING, ErrorCode, isDomainError, orThrow } from './error-codes';
