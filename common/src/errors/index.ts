export { AppError, DomainError, ERROR_MAPPING, ErrorCode, isDomainError } from './error-codes';
