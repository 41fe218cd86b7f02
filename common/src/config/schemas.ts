/**
 * The services' MySQL schemas by profile. Development uses shop_<service>; the test profile
 * (npm test, the chaos and fuzz runs) uses shop_e2e_<service>, so the goods, users and orders
 * the tests create never show in the development shop. deploy/local/system.sh exports the
 * profile's prefix as SHOP_SCHEMA_PREFIX, which every service reads.
 */
export const SHOP_SERVICES = ['goods', 'coupon', 'user', 'order', 'pay'] as const;
export type ShopService = (typeof SHOP_SERVICES)[number];

export const SCHEMA_PREFIX = { development: 'shop_', test: 'shop_e2e_' } as const;

const schemasWith = (prefix: string) => Object.fromEntries(SHOP_SERVICES.map((service) => [service, `${prefix}${service}`])) as Record<ShopService, string>;

/** The schemas of the system the tests drive (the test profile's). */
export const TEST_SCHEMAS = schemasWith(SCHEMA_PREFIX.test);
