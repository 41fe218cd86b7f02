/**
 * The dependencies a process's readiness is made of, each probed cheaply once per health round
 * (health-model.ts): MySQL and RocketMQ are critical, ZooKeeper is reported only.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Metadata, credentials, type ChannelCredentials, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { createConnection, type Connection } from 'mysql2/promise';
import { Endpoints } from 'rocketmq-client-nodejs';
import { Code, Resource } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb';
import type { QueryRouteRequest as QueryRouteRequestType, QueryRouteResponse } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb';
import { QueryRouteRequest } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb';
import type { InfraConfig } from '../config';
import { topicsInUse } from '../mq/mq-lifecycle';
import type { ZkRegistry } from '../rpc/zk-registry';
import { HEALTH_CHECK_TIMEOUT_MS, type HealthCheck } from './health-model';

/**
 * `SELECT 1` on a connection of its own, not one of the pool's: a pool busy with a burst of
 * orders is not a lost database, and readiness must not flap under load. A connection that
 * failed is dropped and a new one opened by the next round.
 */
export function mysqlCheck(mysql: InfraConfig['mysql'], timeoutMs = HEALTH_CHECK_TIMEOUT_MS): HealthCheck {
  let connection: Connection | undefined;
  const drop = () => {
    connection?.destroy();
    connection = undefined;
  };
  return {
    name: 'mysql',
    critical: true,
    async probe() {
      try {
        if (!connection) {
          const opened = await createConnection({ host: mysql.host, port: mysql.port, user: mysql.user, password: mysql.password, connectTimeout: timeoutMs });
          // A server gone between two rounds: without a listener, mysql2's 'error' event would end the process.
          opened.on('error', () => connection === opened && drop());
          connection = opened;
        }
        await connection.query({ sql: 'SELECT 1', timeout: timeoutMs });
      } catch (error) {
        drop();
        throw error;
      }
    },
    close: drop,
  };
}

type MessagingClient = {
  queryRoute(
    request: QueryRouteRequestType,
    metadata: Metadata,
    options: { deadline: number },
    done: (error: ServiceError | null, response: QueryRouteResponse) => void,
  ): void;
  close(): void;
};

/**
 * A route query to the proxy for a topic this process's clients use: answered from the proxy's
 * route cache, so it costs the proxy next to nothing, and it fails at once when the proxy is
 * down (no connection) or cannot reach the name server. A message a second would cost a
 * broker write and a consumer's time. Before any client started there is nothing to check.
 */
export function rocketmqCheck(rocketmq: InfraConfig['rocketmq'], timeoutMs = HEALTH_CHECK_TIMEOUT_MS): HealthCheck {
  const endpoints = new Endpoints(rocketmq.endpoints);
  let client: MessagingClient | undefined;
  const clientId = `${hostname()}@${process.pid}@health`;
  return {
    name: 'rocketmq',
    critical: true,
    async probe() {
      const topic = topicsInUse()[0];
      if (!topic) return;
      client ??= newMessagingClient(endpoints.getGrpcTarget());
      const request = new QueryRouteRequest();
      const resource = new Resource().setName(topic);
      if (rocketmq.namespace) resource.setResourceNamespace(rocketmq.namespace);
      request.setTopic(resource);
      request.setEndpoints(endpoints.toProtobuf());
      // The headers every client of the proxy sends (rocketmq-clients docs/transport.md).
      const metadata = new Metadata();
      metadata.set('x-mq-protocol', 'v2');
      metadata.set('x-mq-client-id', clientId);
      metadata.set('x-mq-request-id', randomUUID());
      metadata.set('x-mq-language', 'HTTP');
      if (rocketmq.namespace) metadata.set('x-mq-namespace', rocketmq.namespace);
      const response = await new Promise<QueryRouteResponse>((resolve, reject) =>
        client!.queryRoute(request, metadata, { deadline: Date.now() + timeoutMs }, (error, answer) => (error ? reject(error) : resolve(answer))),
      );
      const status = response.getStatus();
      if (status?.getCode() !== Code.OK) throw new Error(`route of ${topic}: ${status?.getCode()} ${status?.getMessage() ?? ''}`.trim());
    },
    close() {
      client?.close();
      client = undefined;
    },
  };
}

/**
 * The client class looked up when first needed, as rocketmq-client-nodejs does: the one with the
 * bounded reconnect backoff (mq/grpc-reconnect.ts), so that readiness comes back within seconds
 * of the proxy.
 */
function newMessagingClient(target: string): MessagingClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const generated = require('rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_grpc_pb') as {
    MessagingServiceClient: new (address: string, credentials: ChannelCredentials, options?: ChannelOptions) => MessagingClient;
  };
  return new generated.MessagingServiceClient(target, credentials.createInsecure());
}

/**
 * A round trip to ZooKeeper on the registry's current session. Reported only: while ZooKeeper is
 * away the processes call the providers they know (zk-registry.ts), so a lost ZooKeeper must not
 * take every process out of its load balancer at once.
 */
export function zookeeperCheck(registry: ZkRegistry): HealthCheck {
  return {
    name: 'zookeeper',
    critical: false,
    async probe() {
      await registry.currentSession.exists('/');
    },
  };
}

/** What a front door's app says keeps it from serving (a service it calls with no provider). */
export function providersCheck(problems: () => string[]): HealthCheck {
  return {
    name: 'providers',
    critical: true,
    async probe() {
      const found = problems();
      if (found.length > 0) throw new Error(found.join('; '));
    },
  };
}
