/**
 * Typed, Dubbo-style clients: discovery through ZooKeeper, load balancing, a deadline on every
 * call, and failover to another provider on UNAVAILABLE for calls that are safe to repeat.
 *
 *   const goods = await createRpcClient(goodsContract, { application: 'order', registry, logger, transport });
 *   const item = await goods.getGoods({ goodsId });
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { Span } from '@opentelemetry/api';
import { hostname } from 'node:os';
import type { Logger } from '../log';
import { configuratorsPath, governedTimeoutMs, routersPath } from './dubbo-override';
import { consumerNode, consumersPath, providersPath } from './dubbo-url';
import { createBalancer, type BalancerName } from './load-balancer';
import { ProviderDirectory, type Provider } from './provider-directory';
import { fromServiceError, RpcError } from './rpc-errors';
import { tracingInterceptor, type CallInterceptor } from './rpc-interceptors';
import { recordClientCall, recordClientStart, rpcMetrics } from './rpc-metrics';
import type { ServiceContract, UnaryServiceDefinition } from './service-contract';
import type { RpcTransport } from './rpc-tls';
import type { ZkRegistry } from './zk-registry';
import { ErrorCode } from '../errors';
import { inSpan, SpanKind } from '../trace/trace-context';

type RequestOf<M> = M extends { requestSerialize: (r: infer R) => Buffer } ? R : never;
type ResponseOf<M> = M extends { responseDeserialize: (b: Buffer) => infer R } ? R : never;

export interface CallOptions {
  /** Overrides the method's default deadline. */
  timeoutMs?: number;
  metadata?: Metadata;
}

export type RpcClient<D extends UnaryServiceDefinition> = {
  [K in keyof D]: (request: RequestOf<D[K]>, options?: CallOptions) => Promise<ResponseOf<D[K]>>;
} & {
  /** The providers currently known (for diagnostics and tests). */
  $providers(): readonly Provider[];
  /** Stops watching, unregisters the consumer and closes every channel. */
  $close(): Promise<void>;
};

export interface RpcClientOptions {
  application: string;
  registry: ZkRegistry;
  logger: Logger;
  /** Mutual TLS: this process's certificate, and the check of each provider's. */
  transport: RpcTransport;
  balancer?: BalancerName;
  /** Attempts per call, the first included, for methods safe to repeat. */
  maxAttempts?: number;
  /** Run after the built-in tracing interceptor, on every call. */
  interceptors?: CallInterceptor[];
  /**
   * This process's host, as Dubbo's consumer-side override rules name it
   * (override://<consumer host>/<service>); 127.0.0.1 unless set.
   */
  consumerHost?: string;
}

export async function createRpcClient<D extends UnaryServiceDefinition>(contract: ServiceContract<D>, options: RpcClientOptions): Promise<RpcClient<D>> {
  const { registry, logger } = options;
  const consumerHost = options.consumerHost ?? '127.0.0.1';
  const directory = new ProviderDirectory(contract.name, contract.owner, options.transport, logger, { application: options.application, host: consumerHost });
  const interceptors = [tracingInterceptor(options.application), ...(options.interceptors ?? [])];
  const balancer = createBalancer(options.balancer ?? 'random');
  const maxAttempts = options.maxAttempts ?? 3;
  // Rules first, so that no call goes to a provider they disable.
  const stopWatchingRules = await registry.watchChildren(configuratorsPath(contract.name), (children) => directory.updateRules(children));
  const stopWatching = await registry.watchChildren(providersPath(contract.name), (children) => directory.update(children));
  const stopWatchingRouters = await registry.watchChildren(routersPath(contract.name), (children) => {
    // Dubbo's tag and condition routers are not applied: said once per change, calls unaffected.
    if (children.length > 0)
      logger.warn({ service: contract.name, routers: children.length }, 'Dubbo router rules are not applied by this client; calls ignore them');
  });
  const consumerPath = `${consumersPath(contract.name)}/${consumerNode({ host: hostname(), service: contract.name, application: options.application, timestamp: Date.now() })}`;
  await registry.register(consumerPath);

  const client: Record<string, unknown> = {
    $providers: () => directory.list(),
    $close: async () => {
      stopWatching();
      stopWatchingRules();
      stopWatchingRouters();
      await registry.unregister(consumerPath).catch(() => undefined);
      directory.close();
    },
  };

  for (const key of Object.keys(contract.definition) as (keyof D & string)[]) {
    const definition = contract.definition[key]!;
    const policy = contract.policies[key];
    const method = definition.path.split('/')[2]!;

    // One CLIENT span per call, failovers included; its context is what the interceptor sends on.
    const spanName = `${contract.name}/${method}`;
    const spanAttributes = { 'rpc.system': 'grpc', 'rpc.service': contract.name, 'rpc.method': method };
    client[key] = (request: unknown, callOptions: CallOptions = {}) =>
      inSpan(spanName, { kind: SpanKind.CLIENT, attributes: spanAttributes }, (span) => call(request, callOptions, span));
    const call = async (request: unknown, callOptions: CallOptions, span: Span | undefined) => {
      const started = Date.now();
      // Set at the first provider picked: a governance rule may give it a deadline of its own.
      let deadline: number | undefined;
      const metadata = callOptions.metadata?.clone() ?? new Metadata();
      for (const intercept of interceptors) intercept({ service: contract.name, method, metadata });
      const tried = new Set<string>();
      let lastError: RpcError | undefined;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const candidates = directory.candidates(tried);
        if (candidates.length === 0) break;
        if (attempt > 1) rpcMetrics.clientFailovers.inc({ service: contract.name, method });
        const provider = balancer.pick(candidates);
        deadline ??= started + (callOptions.timeoutMs ?? governedTimeoutMs(provider.governed, method) ?? policy.timeoutMs);
        tried.add(provider.id);
        span?.setAttribute('server.address', provider.id);
        try {
          return await callOnce(provider, definition, request, deadline, metadata, contract.name, method);
        } catch (error) {
          lastError = error as RpcError;
          // Only a provider that could not be reached is worth another try, and a call not safe
          // to repeat only when it provably never left this process; a deadline is final.
          const retryable = lastError.grpcCode === GrpcStatus.UNAVAILABLE && (policy.idempotent || neverSent(lastError));
          if (!retryable || Date.now() >= deadline) throw lastError;
          logger.warn({ service: contract.name, method, provider: provider.id, attempt, err: lastError.message }, 'provider unavailable');
        }
      }
      if (!lastError) {
        throw new RpcError(ErrorCode.UNAVAILABLE, GrpcStatus.UNAVAILABLE, `no provider available for ${contract.name} (none registered in ZooKeeper)`);
      }
      throw new RpcError(
        ErrorCode.UNAVAILABLE,
        GrpcStatus.UNAVAILABLE,
        `no provider available for ${contract.name}/${method}: tried ${[...tried].join(', ')} (${lastError.message})`,
      );
    };
  }
  return client as RpcClient<D>;
}

/**
 * True when the provider provably did not process the call, so that repeating it elsewhere
 * cannot apply it twice, whatever the method:
 * - grpc-js could not connect ("No connection established", ECONNREFUSED): a killed process
 *   whose znode has not expired yet;
 * - the server answered HTTP/2 REFUSED_STREAM ("Stream refused by server"), which by RFC 9113
 *   means the stream was closed before any processing: a provider that is shutting down.
 */
function neverSent(error: RpcError): boolean {
  return /No connection established|ECONNREFUSED|Stream refused by server/.test(error.message);
}

function callOnce(
  provider: Provider,
  definition: UnaryServiceDefinition[string],
  request: unknown,
  deadline: number,
  metadata: Metadata,
  service: string,
  method: string,
): Promise<unknown> {
  const started = process.hrtime.bigint();
  recordClientStart(service, method);
  provider.active++;
  return new Promise((resolve, reject) => {
    provider.client.makeUnaryRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      request,
      metadata,
      { deadline },
      (error: ServiceError | null, response?: unknown) => {
        provider.active--;
        const code = error ? error.code : GrpcStatus.OK;
        recordClientCall(service, method, GrpcStatus[code], Number(process.hrtime.bigint() - started) / 1e9);
        if (error) reject(fromServiceError(error));
        else resolve(response);
      },
    );
  });
}
