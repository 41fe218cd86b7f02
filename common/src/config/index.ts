export { ConfigError, defineConfig, type EnvReader } from './env-reader';
export { loadInfraConfig, readInfraConfig, type InfraConfig } from './infra-config';
