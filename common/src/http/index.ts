export { addRoutes, createHttpApp, principalOf, requireAdmin, requireUser, type HttpAppOptions } from './http-app';
export { runFrontDoor, type FrontDoor } from './run-front-door';
export { startAdminListener } from './admin-listener';
export { contentSecurityPolicy, type SecurityHeadersOptions } from './security-headers';
export { DEVELOPMENT_JWT_SECRET, readWebConfig, type WebConfig } from './web-config';
export { TokenService, type Principal, type Role } from './jwt';
export { STANDING_LOOKUP_TIMEOUT_MS, UserStanding, type Standing, type UserStandingOptions } from './user-standing';
export { calendarDate, documented, errorSchema, idempotencyHeaders, idString, moneyString, object, pageQuery, params, protoEnumNames } from './schemas';
export { byIp, byUser, DEFAULT_LIMITS, failureLimit, limitedBy, readRateLimits, type Limit, type LimitName, type RateLimitSettings } from './rate-limits';
