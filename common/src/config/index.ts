export { ConfigError, defineConfig, type EnvReader } from './env-reader';
export { loadInfraConfig, readInfraConfig, type InfraConfig } from './infra-config';
export { SCHEMA_PREFIX, SHOP_SERVICES, TEST_SCHEMAS, type ShopService } from './schemas';
