/**
 * Hosts any set of services on one grpc-js server and registers each in ZooKeeper in Dubbo's
 * layout, with grpc.health.v1, mutual TLS with per-method caller rules, and a graceful shutdown:
 *   1. health says NOT_SERVING and the znodes are removed,
 *   2. consumers are given `unregisterGraceMs` to notice and stop sending,
 *   3. calls in flight drain (up to `drainTimeoutMs`), then the server stops.
 */
import { Server, status as GrpcStatus, type Metadata, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '../log';
import { contextFrom, currentTraceId, failSpan, inSpan, SpanKind, tracingEnabled } from '../trace/trace-context';
import { DEFAULT_WEIGHT, providerNode, providersPath } from './dubbo-url';
import { claimedCaller } from './rpc-interceptors';
import { recordServerCall, recordServerStart } from './rpc-metrics';
import { RpcError, toServiceError } from './rpc-errors';
import { provenCaller, type RpcTransport } from './rpc-tls';
import { ErrorCode } from '../errors';
import { methodNamesOf, type ServiceContract, type UnaryServiceDefinition } from './service-contract';
import type { ZkRegistry } from './zk-registry';

type RequestOf<M> = M extends { requestDeserialize: (b: Buffer) => infer R } ? R : never;
type ResponseOf<M> = M extends { responseSerialize: (r: infer R) => Buffer } ? R : never;

/** Facts about the call a handler may use (metadata, caller application). */
export interface CallContext {
  metadata: Metadata;
  /** The caller's identity proven by mutual TLS (its claimed name over plain gRPC in development). */
  callerApplication: string;
}

/** Handlers are plain async functions: resolve with the response, throw AppError for failures. */
export type ServiceHandlers<D extends UnaryServiceDefinition> = {
  [K in keyof D]: (request: RequestOf<D[K]>, context: CallContext) => Promise<ResponseOf<D[K]>>;
};

export interface RpcServerOptions {
  application: string;
  registry: ZkRegistry;
  logger: Logger;
  /** Mutual TLS: the server's certificate, and the proof of each caller's identity. */
  transport: RpcTransport;
  /** The address consumers connect to (registered in ZooKeeper). */
  advertisedHost: string;
  /** Interface to listen on; the advertised host unless set. */
  bindHost?: string;
  /** 0 picks a free port. */
  port: number;
  weight?: number;
  unregisterGraceMs?: number;
  drainTimeoutMs?: number;
  /** The largest request message taken; 4 MiB (grpc's default) unless set. */
  maxRequestBytes?: number;
  /** The process's admin listener (metrics), registered with each provider as `metrics.port`. */
  metricsPort?: number;
}

export class RpcServer {
  private readonly server: Server;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services: { name: string; methods: string[] }[] = [];
  private readonly registered: string[] = [];
  private boundPort = 0;
  private inFlight = 0;
  /** The process's readiness (common/src/health), which grpc.health.v1 reports once started. */
  private ready = true;
  private listening = false;

  constructor(private readonly options: RpcServerOptions) {
    this.server = new Server({ 'grpc.max_receive_message_length': options.maxRequestBytes ?? 4 * 1024 * 1024 });
    this.health.addToServer(this.server);
  }

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return `${this.options.advertisedHost}:${this.boundPort}`;
  }

  addService<D extends UnaryServiceDefinition>(contract: ServiceContract<D>, handlers: ServiceHandlers<D>): this {
    const implementation: Record<string, (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void> = {};
    for (const key of Object.keys(contract.definition) as (keyof D & string)[]) {
      const method = contract.definition[key]!.path.split('/')[2]!;
      const callers = new Set(contract.policies[key].callers);
      implementation[key] = this.wrap(contract.name, method, callers, handlers[key] as (request: unknown, context: CallContext) => Promise<unknown>);
    }
    this.server.addService(contract.definition, implementation);
    this.services.push({ name: contract.name, methods: methodNamesOf(contract.definition) });
    return this;
  }

  /** Listens, marks the services SERVING, then registers them in ZooKeeper. */
  async start(): Promise<void> {
    // Where configured, else the advertised host itself: never every interface unasked.
    const bind = `${this.options.bindHost ?? this.options.advertisedHost}:${this.options.port}`;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(bind, this.options.transport.serverCredentials(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.listening = true;
    this.reportHealth();
    const timestamp = Date.now();
    for (const service of this.services) {
      const node = providerNode({
        host: this.options.advertisedHost,
        port: this.boundPort,
        service: service.name,
        application: this.options.application,
        methods: service.methods,
        weight: this.options.weight ?? DEFAULT_WEIGHT,
        timestamp,
        pid: process.pid,
        metricsPort: this.options.metricsPort,
      });
      const path = `${providersPath(service.name)}/${node}`;
      await this.options.registry.register(path);
      this.registered.push(path);
    }
    this.options.logger.info({ address: this.address, services: this.services.map((s) => s.name) }, 'rpc server started');
  }

  /**
   * The process's readiness: grpc.health.v1 says SERVING only while it is ready (MySQL and
   * RocketMQ answer) and the server is not shutting down. The providers stay registered either
   * way: the calls that need only what is still up (reads while RocketMQ is away) are served.
   */
  setReady(ready: boolean): void {
    this.ready = ready;
    this.reportHealth();
  }

  private reportHealth(): void {
    const status = this.listening && this.ready ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    for (const service of this.services) this.health.setStatus(service.name, status);
  }

  /** Graceful stop: unregister, let consumers notice, drain, stop. */
  async shutdown(): Promise<void> {
    const { unregisterGraceMs = 1_000, drainTimeoutMs = 10_000, logger } = this.options;
    this.listening = false;
    this.reportHealth();
    await Promise.all(this.registered.splice(0).map((path) => this.options.registry.unregister(path).catch(() => undefined)));
    await new Promise((resolve) => setTimeout(resolve, unregisterGraceMs));
    logger.info({ inFlight: this.inFlight }, 'rpc server draining');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        logger.warn({ inFlight: this.inFlight }, 'drain timeout; forcing shutdown');
        this.server.forceShutdown();
        resolve();
      }, drainTimeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Abrupt stop (tests): no unregistering, connections cut. */
  forceShutdown(): void {
    this.server.forceShutdown();
  }

  private wrap(service: string, method: string, callers: ReadonlySet<string>, handler: (request: unknown, context: CallContext) => Promise<unknown>) {
    const { logger, transport } = this.options;
    const spanName = `${service}/${method}`;
    const spanAttributes = { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      const started = process.hrtime.bigint();
      recordServerStart(service, method);
      let callerApplication: string;
      if (transport.secure) {
        // The handshake proved the certificate is the CA's; the method decides whether its owner may call.
        const proven = provenCaller(call);
        if (proven === undefined || !callers.has(proven)) {
          logger.warn({ service, method, caller: proven ?? null, claimed: claimedCaller(call.metadata) }, 'caller refused');
          recordServerCall(service, method, GrpcStatus[GrpcStatus.PERMISSION_DENIED], 0);
          const refusal = new RpcError(
            ErrorCode.CALLER_NOT_ALLOWED,
            GrpcStatus.PERMISSION_DENIED,
            `${proven ?? 'a caller without identity'} may not call ${service}/${method}`,
          );
          callback(toServiceError(refusal), null);
          return;
        }
        callerApplication = proven;
      } else {
        callerApplication = claimedCaller(call.metadata);
      }
      this.inFlight++;
      const finish = (code: GrpcStatus) => {
        this.inFlight--;
        recordServerCall(service, method, GrpcStatus[code], Number(process.hrtime.bigint() - started) / 1e9);
      };
      // A SERVER span, child of the caller's (W3C traceparent in the metadata); the handler's
      // logs, calls, statements and messages carry its trace on.
      const traced = tracingEnabled();
      const parent = traced ? contextFrom(call.metadata.getMap() as Record<string, string>) : undefined;
      const attributes = traced ? { ...spanAttributes, 'shop.caller': callerApplication } : undefined;
      void inSpan(spanName, { kind: SpanKind.SERVER, parent, attributes }, (span) =>
        handler(call.request, { metadata: call.metadata, callerApplication }).then(
          (response) => {
            finish(GrpcStatus.OK);
            callback(null, response);
          },
          (error: unknown) => {
            const serviceError = toServiceError(error);
            span?.setAttribute('rpc.grpc.status_code', serviceError.code);
            if (serviceError.code === GrpcStatus.INTERNAL) {
              failSpan(span, error);
              logger.error({ err: error, service, method, traceId: currentTraceId() }, 'rpc handler failed');
            }
            finish(serviceError.code);
            callback(serviceError, null);
          },
        ),
      );
    };
  }
}
