export { ConfigError, defineConfig, recordSettings, type EnvReader, type SettingRead } from './env-reader';
export { loadInfraConfig, readInfraConfig, type InfraConfig } from './infra-config';
export { readRpcTlsConfig, type RpcTlsConfig } from './rpc-tls-config';
export { DEFAULT_ZIPKIN_URL, readTracingConfig, type TracingConfig } from './tracing-config';
export { DEVELOPMENT_ZK_DIGEST, readZookeeperConfig, type ZookeeperConfig } from './zookeeper-config';
export { SCHEMA_PREFIX, SHOP_SERVICES, TEST_SCHEMAS, type ShopService } from './schemas';
export { CHECK_FLAG, checkRequested, exitAfterStartupCheck, runStartupCheck, type StartupCheckResult } from './startup-check';
