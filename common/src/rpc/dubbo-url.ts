/**
 * Dubbo's interface-level registry layout in ZooKeeper, so that Dubbo tooling (dubbo-admin,
 * zkCli users) and Dubbo 3 Triple clients can see the services:
 *
 *   /dubbo/<pkg.Service>/providers/<urlencoded tri://host:port/pkg.Service?application=..&interface=..&methods=A,B&metrics.port=..&pid=..&side=provider&timestamp=..&weight=..>
 *   /dubbo/<pkg.Service>/consumers/<urlencoded consumer://host/pkg.Service?application=..&interface=..&side=consumer&timestamp=..>
 */

export const DUBBO_ROOT = '/dubbo';
export const DEFAULT_WEIGHT = 100;
/**
 * What Dubbo tooling reads from a provider URL besides the address: `dubbo` is the protocol
 * version every Dubbo 2.7+/3 URL carries (2.0.2), `release` the framework's release (ours, not
 * a Dubbo one, so that nobody mistakes these providers for Java ones), and the serialization
 * Triple negotiates: protobuf, as the methods are proto-defined.
 */
export const DUBBO_PROTOCOL_VERSION = '2.0.2';
/** @shop/common's version (a unit test keeps them equal). */
export const SHOP_RELEASE = 'shop-0.1.0';

export interface ProviderUrl {
  host: string;
  port: number;
  service: string;
  application: string;
  methods: string[];
  weight: number;
  timestamp: number;
  /** The provider's process id, as Dubbo's own URLs carry it (the local stack's readiness probe finds its process by it). */
  pid?: number;
  /**
   * The port of the provider process's admin listener (Prometheus metrics at /metrics, on the
   * provider's host), so that scrapers find it through the registry. Dubbo names the parameter
   * `metrics.port` (CommonConstants.METRICS_PORT).
   */
  metricsPort?: number;
}

export function providersPath(service: string): string {
  return `${DUBBO_ROOT}/${service}/providers`;
}

export function consumersPath(service: string): string {
  return `${DUBBO_ROOT}/${service}/consumers`;
}

/** Dubbo's query string: sorted keys, values encoded except the commas of lists (methods=A,B). */
function query(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${key}=${encodeURIComponent(params[key]!).replace(/%2C/g, ',')}`)
    .join('&');
}

export function formatProviderUrl(p: ProviderUrl): string {
  const params = {
    anyhost: 'false',
    application: p.application,
    dubbo: DUBBO_PROTOCOL_VERSION,
    interface: p.service,
    methods: p.methods.join(','),
    ...(p.metricsPort !== undefined && { 'metrics.port': String(p.metricsPort) }),
    ...(p.pid !== undefined && { pid: String(p.pid) }),
    'prefer.serialization': 'protobuf',
    protocol: 'tri',
    release: SHOP_RELEASE,
    serialization: 'protobuf',
    side: 'provider',
    timestamp: String(p.timestamp),
    weight: String(p.weight),
  };
  return `tri://${p.host}:${p.port}/${p.service}?${query(params)}`;
}

/** The znode name of a provider: the whole URL, percent-encoded as Dubbo does. */
export function providerNode(p: ProviderUrl): string {
  return encodeURIComponent(formatProviderUrl(p));
}

/**
 * Parses a providers/ child name. Returns undefined for nodes that are not tri:// providers of
 * this service (a Dubbo dubbo:// provider of the same interface cannot be called over gRPC).
 */
export function parseProviderNode(node: string, service: string): ProviderUrl | undefined {
  let url: URL;
  try {
    url = new URL(decodeURIComponent(node));
  } catch {
    return undefined;
  }
  if (url.protocol !== 'tri:' || url.pathname.replace(/^\//, '') !== service) return undefined;
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port <= 0) return undefined;
  const weight = Number(url.searchParams.get('weight') ?? DEFAULT_WEIGHT);
  return {
    host: url.hostname,
    port,
    service,
    application: url.searchParams.get('application') ?? '',
    methods: (url.searchParams.get('methods') ?? '').split(',').filter(Boolean),
    weight: Number.isFinite(weight) && weight >= 0 ? weight : DEFAULT_WEIGHT,
    timestamp: Number(url.searchParams.get('timestamp') ?? 0),
    ...(url.searchParams.has('pid') && { pid: Number(url.searchParams.get('pid')) }),
    ...(validPort(url.searchParams.get('metrics.port')) && { metricsPort: Number(url.searchParams.get('metrics.port')) }),
  };
}

function validPort(text: string | null): boolean {
  const port = Number(text);
  return text !== null && text !== '' && Number.isInteger(port) && port > 0 && port <= 65535;
}

export function consumerNode(c: { host: string; service: string; application: string; timestamp: number }): string {
  const params = {
    application: c.application,
    category: 'consumers',
    check: 'false',
    interface: c.service,
    protocol: 'tri',
    side: 'consumer',
    timestamp: String(c.timestamp),
  };
  return encodeURIComponent(`consumer://${c.host}/${c.service}?${query(params)}`);
}
