/**
 * RPC metrics, per service, method and provider, in the default Prometheus registry (served at
 * /metrics by each process).
 */
import { Counter, Histogram, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

function histogram(name: string, help: string, labelNames: string[]): Histogram {
  return (
    (register.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({ name, help, labelNames, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] })
  );
}

const LABELS = ['service', 'method', 'provider', 'code'];

export const rpcMetrics = {
  clientCalls: counter('rpc_client_calls_total', 'Client attempts by outcome (gRPC status name)', LABELS),
  clientLatency: histogram('rpc_client_latency_seconds', 'Client attempt latency', LABELS),
  clientFailovers: counter('rpc_client_failovers_total', 'Calls retried on another provider', ['service', 'method']),
  serverCalls: counter('rpc_server_calls_total', 'Calls served by outcome (gRPC status name)', ['service', 'method', 'code']),
  serverLatency: histogram('rpc_server_latency_seconds', 'Server handling latency', ['service', 'method', 'code']),
};

/**
 * Records one call. The labelled children are cached: looking labels up by object on every call
 * is measurable at thousands of calls per second.
 */
type Children = { calls: ReturnType<Counter['labels']>; latency: ReturnType<Histogram['labels']> };
const clientChildren = new Map<string, Children>();
const serverChildren = new Map<string, Children>();

function record(cache: Map<string, Children>, calls: Counter, latency: Histogram, labels: Record<string, string>, seconds: number): void {
  const key = Object.values(labels).join('|');
  let children = cache.get(key);
  if (!children) {
    children = { calls: calls.labels(labels), latency: latency.labels(labels) };
    cache.set(key, children);
  }
  children.calls.inc();
  children.latency.observe(seconds);
}

export function recordClientCall(service: string, method: string, provider: string, code: string, seconds: number): void {
  record(clientChildren, rpcMetrics.clientCalls, rpcMetrics.clientLatency, { service, method, provider, code }, seconds);
}

export function recordServerCall(service: string, method: string, code: string, seconds: number): void {
  record(serverChildren, rpcMetrics.serverCalls, rpcMetrics.serverLatency, { service, method, code }, seconds);
}
