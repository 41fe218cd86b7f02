export { consumerNode, consumersPath, DUBBO_ROOT, formatProviderUrl, parseProviderNode, providerNode, providersPath, type ProviderUrl } from './dubbo-url';
export {
  createBalancer,
  LeastActiveBalancer,
  RandomWeightedBalancer,
  RoundRobinBalancer,
  type BalancerName,
  type Candidate,
  type LoadBalancer,
} from './load-balancer';
export type { Provider } from './provider-directory';
export { createRpcClient, type CallOptions, type RpcClient, type RpcClientOptions } from './rpc-client';
export { ERROR_CODE_KEY, fromServiceError, RpcError, toServiceError } from './rpc-errors';
export { CALLER_APP_HEADER, tracingInterceptor, type CallInterceptor, type OutgoingCall } from './rpc-interceptors';
export { rpcMetrics } from './rpc-metrics';
export { provenCaller, RpcTransport } from './rpc-tls';
export { RpcServer, type CallContext, type RpcServerOptions, type ServiceHandlers } from './rpc-server';
export { defineContract, methodNamesOf, serviceNameOf, type MethodPolicy, type ServiceContract, type UnaryServiceDefinition } from './service-contract';
export { ZkRegistry, type RegistryOptions } from './zk-registry';
export { Metadata } from '@grpc/grpc-js';
