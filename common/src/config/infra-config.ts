import { defineConfig, type EnvReader } from './env-reader';
import { readRpcTlsConfig, type RpcTlsConfig } from './rpc-tls-config';
import { readTracingConfig, type TracingConfig } from './tracing-config';
import { readZookeeperConfig, type ZookeeperConfig } from './zookeeper-config';

/** Where the shared infrastructure is. Every process reads these the same way. */
export interface InfraConfig {
  env: 'development' | 'test' | 'production';
  mysql: { host: string; port: number; user: string; password: string; poolMax: number };
  /** With the digest the processes write /dubbo and /shop with (ACLs: common/src/zk/zk-acl.ts). */
  zookeeper: ZookeeperConfig;
  rocketmq: { endpoints: string; namespace: string; startupTimeoutMs: number };
  /** The certificates of the services' mutual TLS. */
  rpcTls: RpcTlsConfig;
  /** Where the process's spans go (OpenTelemetry). */
  tracing: TracingConfig;
}

export function readInfraConfig(env: EnvReader, fail: (problem: string) => void): InfraConfig {
  const runtime = env.string('NODE_ENV', { default: 'production', oneOf: ['development', 'test', 'production'] }) as InfraConfig['env'];
  return {
    // Production unless asked otherwise: a process started bare (no NODE_ENV) refuses the
    // published development secret, fault injection and the local gateway instead of accepting
    // them. The local stack (deploy/local/system.sh) asks for development explicitly.
    env: runtime,
    mysql: {
      host: env.string('MYSQL_HOST', { default: '127.0.0.1' }),
      port: env.int('MYSQL_PORT', { default: 3306, min: 1, max: 65535 }),
      user: env.string('MYSQL_USER', { default: 'shop' }),
      password: env.string('MYSQL_PASSWORD', { default: 'shop' }),
      poolMax: env.int('MYSQL_POOL_MAX', { default: 10, min: 1, max: 500 }),
    },
    zookeeper: readZookeeperConfig(env, fail, runtime === 'production'),
    rocketmq: {
      endpoints: env.string('RMQ_ENDPOINTS', { default: '127.0.0.1:8081' }),
      namespace: env.string('RMQ_NAMESPACE', { default: '' }),
      startupTimeoutMs: env.int('RMQ_STARTUP_TIMEOUT_MS', { default: 30_000, min: 1_000 }),
    },
    rpcTls: readRpcTlsConfig(env, fail, runtime === 'production'),
    tracing: readTracingConfig(env, fail, runtime === 'production'),
  };
}

/**
 * Infrastructure settings alone, for tools and tests that are not a service: the seed, the
 * benches, the chaos harness and the tests, which run against the local stack. They are
 * development unless NODE_ENV says otherwise (a service started bare is production).
 */
export function loadInfraConfig(source: NodeJS.ProcessEnv = process.env): InfraConfig {
  return defineConfig((env, fail) => readInfraConfig(env, fail), { NODE_ENV: 'development', ...source });
}
