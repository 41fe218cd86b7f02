import { defineConfig, type EnvReader } from './env-reader';

/** Where the shared infrastructure is. Every process reads these the same way. */
export interface InfraConfig {
  env: 'development' | 'test' | 'production';
  mysql: { host: string; port: number; user: string; password: string; poolMax: number };
  zookeeper: { connect: string; sessionTimeoutMs: number };
  rocketmq: { endpoints: string; namespace: string; startupTimeoutMs: number };
}

export function readInfraConfig(env: EnvReader): InfraConfig {
  return {
    // Production unless asked otherwise: a process started bare (no NODE_ENV) refuses the
    // published development secret, fault injection and the local gateway instead of accepting
    // them. The local stack (deploy/local/system.sh) asks for development explicitly.
    env: env.string('NODE_ENV', { default: 'production', oneOf: ['development', 'test', 'production'] }) as InfraConfig['env'],
    mysql: {
      host: env.string('MYSQL_HOST', { default: '127.0.0.1' }),
      port: env.int('MYSQL_PORT', { default: 3306, min: 1, max: 65535 }),
      user: env.string('MYSQL_USER', { default: 'shop' }),
      password: env.string('MYSQL_PASSWORD', { default: 'shop' }),
      poolMax: env.int('MYSQL_POOL_MAX', { default: 10, min: 1, max: 500 }),
    },
    zookeeper: {
      connect: env.string('ZK_CONNECT', { default: '127.0.0.1:2181' }),
      sessionTimeoutMs: env.int('ZK_SESSION_TIMEOUT_MS', { default: 10_000, min: 2_000, max: 60_000 }),
    },
    rocketmq: {
      endpoints: env.string('RMQ_ENDPOINTS', { default: '127.0.0.1:8081' }),
      namespace: env.string('RMQ_NAMESPACE', { default: '' }),
      startupTimeoutMs: env.int('RMQ_STARTUP_TIMEOUT_MS', { default: 30_000, min: 1_000 }),
    },
  };
}

/** Infrastructure settings alone, for tools and tests that are not a service. */
export function loadInfraConfig(source: NodeJS.ProcessEnv = process.env): InfraConfig {
  return defineConfig((env) => readInfraConfig(env), source);
}
