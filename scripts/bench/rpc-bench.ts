/**
 * npm run bench:rpc: unary Echo calls to one provider (in its own process), through the
 * registry client (ZooKeeper discovery, balancer, deadline, interceptors, metrics) and through a
 * raw grpc-js client on the same server, in the same run, at concurrency 1 and 64.
 *
 * Settings: BENCH_SECONDS (default 10 per row, split in alternating rounds), ZK_CONNECT (default the local stack's).
 */
import { credentials } from '@grpc/grpc-js';
import { cpus } from 'node:os';
import { testing } from '@shop/proto';
import { echoContract } from '../../common/test/support/echo-contract';
import { createLogger } from '../../common/src/log';
import { createRpcClient, ZkRegistry } from '../../common/src/rpc';
import { ProviderProcess } from '../../common/test/support/provider-process';
import { compare, measure, table, writeReport, type Result } from './lib/measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ZK = process.env.ZK_CONNECT ?? '127.0.0.1:2181';

async function main(): Promise<void> {
  const logger = createLogger('bench-rpc', 'warn');
  const provider = await ProviderProcess.start(ZK, { ZK_SESSION_TIMEOUT_MS: '10000' });
  const registry = await ZkRegistry.connect({ connect: ZK, sessionTimeoutMs: 10_000, logger });
  const viaRegistry = await createRpcClient(echoContract, { application: 'bench', registry, logger });
  const raw = new testing.EchoServiceClient(provider.address, credentials.createInsecure());
  const request = { message: 'hello', delayMs: 0 };
  const rawEcho = () => new Promise((resolve, reject) => raw.echo(request, { deadline: Date.now() + 2_000 } as never, (e, r) => (e ? reject(e) : resolve(r))));
  const registryEcho = () => viaRegistry.echo(request);

  try {
    while (viaRegistry.$providers().length === 0) await new Promise((r) => setTimeout(r, 50));
    // Warm both paths (JIT, connections) before measuring.
    await measure('warmup', 16, 1_000, rawEcho);
    await measure('warmup', 16, 1_000, registryEcho);
    const results: Result[] = [];
    for (const concurrency of [1, 64]) {
      const ways = [
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
      return { concurrency: c, ratio: g.perSecond / r.perSecond };
    });
    const markdown = [
      `# bench:rpc (${new Date().toISOString()})`,
      '',
      `Unary Echo to one provider process; ${SECONDS} s per row in 6 alternating rounds; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}.`,
      '',
      table(results),
      '',
      ...ratios.map((r) => `- registry client / raw grpc-js throughput at concurrency ${r.concurrency}: **${r.ratio.toFixed(2)}**`),
      '',
    ].join('\n');
    console.log(markdown);
    console.log(`report: ${writeReport('bench-rpc', markdown, { results, ratios })}`);
  } finally {
    raw.close();
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
