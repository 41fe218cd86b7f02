/**
 * The local stack's readiness probe (deploy/local/system.sh): says by its exit code whether a
 * process is ready, by asking the process, not by reading its log.
 *
 *   node readiness-probe.js [--wait-ms N] grpc <pid>
 *       a gRPC service: it registered a provider URL carrying its pid in ZooKeeper (ZK_CONNECT),
 *       and grpc.health.v1 there answers SERVING
 *   node readiness-probe.js [--wait-ms N] http <pid> <url>
 *       an HTTP process: GET <url> (its /readyz) answers 200
 *
 * With --wait-ms the probe asks again every 200 ms for up to N ms, and stops early when the
 * process is gone: one node start per few seconds of waiting instead of one per try.
 * Exit 0: ready; 1: not yet, or the process is gone (the reason on stderr).
 */
import { makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import zookeeper from 'node-zookeeper-client';
import { loadInfraConfig } from '../config';
import { DUBBO_ROOT, parseProviderNode, type ProviderUrl } from '../rpc/dubbo-url';
import { RpcTransport } from '../rpc/rpc-tls';

const TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref()),
  ]);
}

/** Every tri:// provider registered under /dubbo. */
async function registeredProviders(connect: string): Promise<ProviderUrl[]> {
  const client = zookeeper.createClient(connect, { sessionTimeout: 5_000, retries: 0 });
  const children = (path: string) =>
    new Promise<string[]>((resolve, reject) => client.getChildren(path, (error, names) => (error ? reject(error) : resolve(names))));
  try {
    await withTimeout(new Promise<void>((resolve) => client.once('connected', () => resolve()) && client.connect()), `ZooKeeper ${connect}`);
    const providers: ProviderUrl[] = [];
    for (const service of await children(DUBBO_ROOT)) {
      const nodes = await children(`${DUBBO_ROOT}/${service}/providers`).catch(() => []);
      for (const node of nodes) {
        const url = parseProviderNode(node, service);
        if (url) providers.push(url);
      }
    }
    return providers;
  } finally {
    client.close();
  }
}

/**
 * grpc.health.v1 Check; the status as its name (the package loads the enums as strings). The
 * probe is an operator's tool: it connects with the `ops` certificate (mutual TLS) and expects
 * the provider to prove its application's identity.
 */
function healthStatus(address: string, application: string): Promise<string> {
  const Health = makeGenericClientConstructor(healthService, 'Health');
  const channel = RpcTransport.fromConfig(loadInfraConfig().rpcTls, 'ops').channelTo(application);
  const client = new Health(address, channel.credentials, channel.options) as unknown as {
    Check(request: { service: string }, options: { deadline: number }, done: (error: ServiceError | null, answer: { status: string }) => void): void;
    close(): void;
  };
  return new Promise<string>((resolve, reject) => {
    client.Check({ service: '' }, { deadline: Date.now() + TIMEOUT_MS }, (error, answer) => {
      client.close();
      return error ? reject(error) : resolve(answer.status);
    });
  });
}

async function grpcReady(pid: number): Promise<string | undefined> {
  const mine = (await registeredProviders(process.env.ZK_CONNECT ?? '127.0.0.1:2181')).filter((provider) => provider.pid === pid);
  if (mine.length === 0) return `no provider of pid ${pid} in ZooKeeper yet`;
  const { host, port, application } = mine[0]!;
  const status = await healthStatus(`${host}:${port}`, application);
  return status === 'SERVING' ? undefined : `${host}:${port} answers health status ${status}`;
}

async function httpReady(url: string): Promise<string | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return response.status === 200 ? undefined : `${url} answers ${response.status}: ${await response.text()}`;
}

const RETRY_MS = 200;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One try: undefined when ready, else why not. */
async function problemOf(kind: string, pid: number, url: string | undefined): Promise<string | undefined> {
  try {
    return kind === 'grpc' ? await grpcReady(pid) : await httpReady(url!);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function main(args: string[]): Promise<number> {
  const waitMs = args[0] === '--wait-ms' ? Number(args[1]) : 0;
  const [kind, pidText, url] = args[0] === '--wait-ms' ? args.slice(2) : args;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isFinite(waitMs) || !(kind === 'grpc' || (kind === 'http' && url))) {
    console.error('usage: readiness-probe [--wait-ms N] grpc <pid> | [--wait-ms N] http <pid> <url>');
    return 2;
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (!alive(pid)) {
      console.error(`process ${pid} is gone`);
      return 1;
    }
    const problem = await problemOf(kind, pid, url);
    if (!problem) return 0;
    if (Date.now() + RETRY_MS > deadline) {
      console.error(problem);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
