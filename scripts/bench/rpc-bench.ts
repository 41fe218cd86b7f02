/**
 * npm run bench:rpc: unary Echo calls to one provider (in its own process), through the
 * registry client (ZooKeeper discovery, balancer, deadline, interceptors, metrics) and through a
 * raw grpc-js client on the same server, both over the services' mutual TLS, in the same run, at
 * concurrency 1 and 64; and a raw grpc-js client of a second provider that runs plain gRPC
 * (RPC_TLS=off, registered under a ZooKeeper chroot of its own), which prices the TLS itself.
 *
 * Settings: BENCH_SECONDS (default 10 per row, split in alternating rounds), ZK_CONNECT (default the local stack's),
 * BENCH_TRACING=on (the client and the providers trace every call, spans batched to the configured
 * exporter, Zipkin by default: the price of tracing; off by default, the price of it being off).
 */
import { cpus } from 'node:os';
import { testing } from '@shop/proto';
import { echoContract } from '../../common/test/support/echo-contract';
import { loadInfraConfig } from '../../common/src/config';
import { createLogger } from '../../common/src/log';
import { createRpcClient, RpcTransport, ZkRegistry } from '../../common/src/rpc';
import { ProviderProcess } from '../../common/test/support/provider-process';
import { transportAs } from '../../common/test/support/infra';
import { ZkSession } from '../../common/src/zk';
import { startTracing } from '../../common/src/trace';
import { compare, measure, table, writeReport, type Result } from './lib/measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const { zookeeper } = loadInfraConfig();
const ZK = zookeeper.connect;
const PLAINTEXT_CHROOT = '/shop-bench-plaintext';
const TRACING = process.env.BENCH_TRACING === 'on';

async function main(): Promise<void> {
  const logger = createLogger('bench-rpc', 'warn');
  if (TRACING) startTracing('bench-rpc', loadInfraConfig().tracing, { instrument: false });
  const provider = await ProviderProcess.start(ZK, { ZK_SESSION_TIMEOUT_MS: '10000' });
  const root = await ZkSession.open({ connect: ZK });
  await root.mkdirp(PLAINTEXT_CHROOT);
  root.close();
  const plaintextProvider = await ProviderProcess.start(`${ZK}${PLAINTEXT_CHROOT}`, { ZK_SESSION_TIMEOUT_MS: '10000', RPC_TLS: 'off' });
  const registry = await ZkRegistry.connect({ ...zookeeper, logger });
  const transport = transportAs('ops');
  const viaRegistry = await createRpcClient(echoContract, { application: 'bench', registry, logger, transport });
  const channel = transport.channelTo(echoContract.owner);
  const raw = new testing.EchoServiceClient(provider.address, channel.credentials, channel.options);
  const plain = new testing.EchoServiceClient(plaintextProvider.address, RpcTransport.plaintext().channelTo(echoContract.owner).credentials);
  const request = { message: 'hello', delayMs: 0 };
  const echoOf = (client: InstanceType<typeof testing.EchoServiceClient>) => () =>
    new Promise((resolve, reject) => client.echo(request, { deadline: Date.now() + 2_000 } as never, (e, r) => (e ? reject(e) : resolve(r))));
  const rawEcho = echoOf(raw);
  const plainEcho = echoOf(plain);
  const registryEcho = () => viaRegistry.echo(request);

  try {
    while (viaRegistry.$providers().length === 0) await new Promise((r) => setTimeout(r, 50));
    // Warm both paths (JIT, connections) before measuring.
    await measure('warmup', 16, 1_000, rawEcho);
    await measure('warmup', 16, 1_000, registryEcho);
    await measure('warmup', 16, 1_000, plainEcho);
    const results: Result[] = [];
    for (const concurrency of [1, 64]) {
      const ways = [
        { name: 'raw grpc-js, plain gRPC', op: plainEcho },
        { name: 'raw grpc-js', op: rawEcho },
        { name: 'registry client', op: registryEcho },
      ];
      results.push(...(await compare(ways, concurrency, SECONDS * 1_000)));
    }
    const ratios = [1, 64].map((c) => {
      const [r, g] = [
        results.find((x) => x.concurrency === c && x.name === 'raw grpc-js')!,
        results.find((x) => x.concurrency === c && x.name === 'registry client')!,
      ];
      const p = results.find((x) => x.concurrency === c && x.name === 'raw grpc-js, plain gRPC')!;
      return { concurrency: c, ratio: g.perSecond / r.perSecond, tls: r.perSecond / p.perSecond };
    });
    const markdown = [
      `# bench:rpc (${new Date().toISOString()})`,
      '',
      `Unary Echo to one provider process; ${SECONDS} s per row in 6 alternating rounds; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; tracing ${TRACING ? 'on (BENCH_TRACING=on)' : 'off'}.`,
      '',
      table(results),
      '',
      ...ratios.map((r) => `- registry client / raw grpc-js throughput at concurrency ${r.concurrency}: **${r.ratio.toFixed(2)}**`),
      ...ratios.map((r) => `- raw grpc-js over mutual TLS / plain gRPC at concurrency ${r.concurrency}: **${r.tls.toFixed(2)}**`),
      '',
    ].join('\n');
    console.log(markdown);
    console.log(`report: ${writeReport('bench-rpc', markdown, { results, ratios })}`);
  } finally {
    raw.close();
    plain.close();
    await plaintextProvider.stop();
    await viaRegistry.$close();
    registry.close();
    await provider.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
