/**
 * Where Prometheus finds every process of the shop, in its file_sd format
 * (https://prometheus.io/docs/guide/file-sd/): the gRPC services from ZooKeeper (each provider
 * URL carries its process's admin port as `metrics.port`, on the provider's host), the front
 * doors from configuration (they register no provider). One target per process: a process that
 * provides several services registers several URLs with the same admin port.
 */
import { DUBBO_ROOT, parseProviderNode } from '../../../common/src/rpc';
import type { ZkSession } from '../../../common/src/zk';

export interface ScrapeTarget {
  /** host:port of the admin listener. */
  address: string;
  /** The application (goods, order, order-web...): Prometheus' `job`-like label. */
  application: string;
  /** The process id the provider URL gives (several processes of one host tell apart). */
  pid?: number;
}

/** One group of file_sd: its targets and the labels Prometheus puts on each of their series. */
export interface FileSdGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** Every provider in ZooKeeper with a metrics.port, one per admin address; those without are listed in `missing`. */
export async function serviceTargets(session: Pick<ZkSession, 'getChildren'>): Promise<{ targets: ScrapeTarget[]; missing: string[] }> {
  const byAddress = new Map<string, ScrapeTarget>();
  const missing: string[] = [];
  const services = await session.getChildren(DUBBO_ROOT).catch(() => [] as string[]);
  for (const service of services) {
    const nodes = await session.getChildren(`${DUBBO_ROOT}/${service}/providers`).catch(() => [] as string[]);
    for (const node of nodes) {
      const url = parseProviderNode(node, service);
      if (!url) continue;
      if (url.metricsPort === undefined) {
        missing.push(`${url.application} ${url.host}:${url.port} (${service}) has no metrics.port`);
        continue;
      }
      const address = `${url.host}:${url.metricsPort}`;
      if (!byAddress.has(address)) byAddress.set(address, { address, application: url.application, ...(url.pid !== undefined && { pid: url.pid }) });
    }
  }
  return { targets: [...byAddress.values()].sort((a, b) => a.application.localeCompare(b.application) || a.address.localeCompare(b.address)), missing };
}

/**
 * The front doors' admin listeners, from `name=host:port` pairs separated by commas
 * ("order-web=127.0.0.1:7101,pay-web=127.0.0.1:7102").
 */
export function frontDoorTargets(spec: string): ScrapeTarget[] {
  return spec
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const match = /^([a-z][a-z0-9-]*)=([^\s=:]+:\d{1,5})$/.exec(pair);
      if (!match) throw new Error(`front door target ${JSON.stringify(pair)} is not name=host:port`);
      return { application: match[1]!, address: match[2]! };
    });
}

/** The file_sd document: one group per target, labelled with its application (and pid when known). */
export function fileSd(targets: readonly ScrapeTarget[]): FileSdGroup[] {
  return targets.map((target) => ({
    targets: [target.address],
    labels: { application: target.application, ...(target.pid !== undefined && { pid: String(target.pid) }) },
  }));
}
