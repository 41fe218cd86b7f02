import { readInfraConfig, SCHEMA_PREFIX, type EnvReader, type InfraConfig } from '../config';

/** What every gRPC service process reads: the infrastructure, its schema, its RPC endpoint and its admin listener. */
export interface ServiceConfig {
  infra: InfraConfig;
  schema: string;
  /**
   * The host consumers reach this instance at, registered in ZooKeeper (SHOP_ADVERTISE_HOST; in
   * Kubernetes the pod address). Dubbo consumers treat any 127.x host as "this machine" and
   * replace it with their own address, so a provider advertised on loopback is for callers on
   * the same machine only.
   */
  advertiseHost: string;
  /** The interface the gRPC server listens on (RPC_BIND_HOST): the advertised host unless set, never a silent 0.0.0.0. */
  rpcBindHost: string;
  rpcPort: number;
  /** The admin listener (Prometheus /metrics, /livez, /readyz), apart from the RPC port; 0 picks a free port. */
  adminHost: string;
  adminPort: number;
  /**
   * This instance's snowflake worker id (0-1023) when WORKER_ID sets it; undefined (the default)
   * leases a free one in ZooKeeper at start (see worker-id.ts).
   */
  workerId: number | undefined;
  /**
   * The service's one RocketMQ consumer group (clustering: the instances share its messages).
   * Another value only for a process that must not take the running system's messages (tests).
   */
  consumerGroup: string;
}

/** Reads a service's settings; `name` prefixes its own variables (GOODS_SCHEMA, GOODS_RPC_PORT, GOODS_ADMIN_PORT). */
export function readServiceConfig(env: EnvReader, fail: (problem: string) => void, name: string): ServiceConfig {
  const prefix = name.toUpperCase();
  return {
    infra: readInfraConfig(env, fail),
    // The profile's prefix (see config/schemas.ts) unless the service's own schema is named.
    schema: env.string(`${prefix}_SCHEMA`, { default: `${env.string('SHOP_SCHEMA_PREFIX', { default: SCHEMA_PREFIX.development })}${name}` }),
    ...advertiseAndBind(env),
    rpcPort: env.int(`${prefix}_RPC_PORT`, { default: 0, min: 0, max: 65535 }),
    adminHost: env.string('ADMIN_HOST', { default: '127.0.0.1' }),
    adminPort: env.int(`${prefix}_ADMIN_PORT`, { default: 0, min: 0, max: 65535 }),
    consumerGroup: env.string(`${prefix}_CONSUMER_GROUP`, { default: `shop-${name}` }),
    workerId: leaseUnlessSet(env.int('WORKER_ID', { default: -1, min: -1, max: 1023 })),
  };
}

function advertiseAndBind(env: EnvReader): Pick<ServiceConfig, 'advertiseHost' | 'rpcBindHost'> {
  const advertiseHost = env.string('SHOP_ADVERTISE_HOST', { default: '127.0.0.1' });
  return { advertiseHost, rpcBindHost: env.string('RPC_BIND_HOST', { default: advertiseHost }) };
}

function leaseUnlessSet(workerId: number): number | undefined {
  return workerId === -1 ? undefined : workerId;
}
