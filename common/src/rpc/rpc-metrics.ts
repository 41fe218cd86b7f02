/**
 * gRPC metrics under the names and labels of grpc-ecosystem/go-grpc-prometheus (and of the Java
 * interceptors that copy it), so that the dashboards and alerts written for those work here:
 *
 *   grpc_server_started_total{grpc_type, grpc_service, grpc_method}              calls received
 *   grpc_server_handled_total{grpc_type, grpc_service, grpc_method, grpc_code}   calls answered, by status
 *   grpc_server_handling_seconds{grpc_type, grpc_service, grpc_method}           histogram, received -> answered
 *   grpc_client_started_total / grpc_client_handled_total / grpc_client_handling_seconds
 *                                                                                the same, per attempt a client makes
 *   rpc_client_failovers_total{service, method}                                  calls retried on another provider (the shop's own)
 *
 * grpc_type is always "unary" (the contracts have no streams); grpc_code is Go's name of the
 * status ("OK", "NotFound", "Unavailable"), as go-grpc-prometheus writes it. No provider label:
 * a provider is an address that changes at every restart, an unbounded label over time.
 *
 * On the hot path: each (service, method) is resolved once into its counter slots and histogram
 * child (nested maps, no string built per call), then counting is an addition and an observe.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Counter, Histogram, register } from 'prom-client';
import { hotCounter, type CounterSlot, type HotCounter } from '../metrics/hot-counter';

const GRPC_TYPE = 'unary';
const METHOD_LABELS = ['grpc_type', 'grpc_service', 'grpc_method'];
const HANDLED_LABELS = [...METHOD_LABELS, 'grpc_code'];
/** From half a millisecond (a cached read) to 5 s (the longest deadline). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function histogram(name: string, help: string): Histogram {
  return (register.getSingleMetric(name) as Histogram | undefined) ?? new Histogram({ name, help, labelNames: METHOD_LABELS, buckets: BUCKETS });
}

/** grpc-js's enum names (NOT_FOUND) as Go's String() of the code (NotFound). */
const GO_CODE_NAMES = new Map<string, string>(
  Object.keys(GrpcStatus)
    .filter((key) => Number.isNaN(Number(key)))
    .map((key) => [key, key === 'OK' ? 'OK' : key.toLowerCase().replace(/(^|_)([a-z])/g, (_match, _sep: string, letter: string) => letter.toUpperCase())]),
);
// Go spells this one with one L.
GO_CODE_NAMES.set('CANCELLED', 'Canceled');

/** Go's name of a status, given grpc-js's enum name. */
export function goCodeName(code: string): string {
  return GO_CODE_NAMES.get(code) ?? code;
}

interface Side {
  started: HotCounter;
  handled: HotCounter;
  seconds: Histogram;
  methods: Map<string, Map<string, MethodMetrics>>;
}

interface MethodMetrics {
  started: CounterSlot;
  handledByCode: Map<string, CounterSlot>;
  seconds: ReturnType<Histogram['labels']>;
}

function side(kind: 'server' | 'client', help: { started: string; handled: string; seconds: string }): Side {
  return {
    started: hotCounter(`grpc_${kind}_started_total`, help.started, METHOD_LABELS),
    handled: hotCounter(`grpc_${kind}_handled_total`, help.handled, HANDLED_LABELS),
    seconds: histogram(`grpc_${kind}_handling_seconds`, help.seconds),
    methods: new Map(),
  };
}

const server = side('server', {
  started: 'RPCs started on the server',
  handled: 'RPCs completed on the server, by gRPC status code',
  seconds: 'Response latency (seconds) of RPCs handled by the server',
});
const client = side('client', {
  started: 'RPCs (attempts) started by the client',
  handled: 'RPCs (attempts) completed by the client, by gRPC status code',
  seconds: 'Latency (seconds) of RPC attempts until the answer arrived at the client',
});

function methodOf(of: Side, service: string, method: string): MethodMetrics {
  let byMethod = of.methods.get(service);
  if (!byMethod) of.methods.set(service, (byMethod = new Map()));
  let metrics = byMethod.get(method);
  if (!metrics) {
    metrics = {
      started: of.started.slot(GRPC_TYPE, service, method),
      handledByCode: new Map(),
      seconds: of.seconds.labels(GRPC_TYPE, service, method),
    };
    byMethod.set(method, metrics);
  }
  return metrics;
}

function handled(of: Side, service: string, method: string, code: string, seconds: number): void {
  const metrics = methodOf(of, service, method);
  let slot = metrics.handledByCode.get(code);
  if (!slot) metrics.handledByCode.set(code, (slot = of.handled.slot(GRPC_TYPE, service, method, goCodeName(code))));
  slot.inc();
  metrics.seconds.observe(seconds);
}

export const rpcMetrics = {
  clientFailovers:
    (register.getSingleMetric('rpc_client_failovers_total') as Counter | undefined) ??
    new Counter({ name: 'rpc_client_failovers_total', help: 'Calls retried on another provider', labelNames: ['service', 'method'] }),
};

/** A client attempt leaves for a provider. */
export function recordClientStart(service: string, method: string): void {
  methodOf(client, service, method).started.inc();
}

/** A client attempt ended with `code` (grpc-js's enum name) after `seconds`. */
export function recordClientCall(service: string, method: string, code: string, seconds: number): void {
  handled(client, service, method, code, seconds);
}

/** The server received a call. */
export function recordServerStart(service: string, method: string): void {
  methodOf(server, service, method).started.inc();
}

/** The server answered a call with `code` (grpc-js's enum name) after `seconds`. */
export function recordServerCall(service: string, method: string, code: string, seconds: number): void {
  handled(server, service, method, code, seconds);
}
