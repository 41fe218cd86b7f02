import assert from 'node:assert/strict';
import { echoContract } from './support/echo-contract';
import { ErrorCode } from '../src/errors';
import { createRpcClient, parseProviderNode, providersPath, RpcError, ZkRegistry, type BalancerName, type RpcClient } from '../src/rpc';
import { ZkSession } from '../src/zk';
import { ProviderProcess } from './support/provider-process';
import { eventually, infra, sleep, testLogger, transportAs } from './support/infra';
import { ZooKeeperServer } from './support/zookeeper-server';

type EchoClient = RpcClient<typeof echoContract.definition>;
const SERVICE = echoContract.name;
const SESSION_TIMEOUT_MS = 4_000;

describe('Dubbo-style RPC over ZooKeeper (real ZooKeeper, providers in child processes)', function () {
  this.timeout(60_000);
  let zk: ZooKeeperServer;
  let registry: ZkRegistry;
  const providers: ProviderProcess[] = [];
  const clients: EchoClient[] = [];

  const startProvider = async (env: Record<string, string> = {}) => {
    const provider = await ProviderProcess.start(zk.connect, { ZK_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), ...env });
    providers.push(provider);
    return provider;
  };
  const client = async (balancer: BalancerName = 'random') => {
    const c = await createRpcClient(echoContract, { application: 'rpc-test', registry, logger: testLogger, balancer, transport: transportAs('ops') });
    clients.push(c);
    return c;
  };
  const knownProviders = (c: EchoClient) =>
    c
      .$providers()
      .map((p) => p.id)
      .sort();
  const waitForProviders = (c: EchoClient, expected: string[]) =>
    eventually(`providers ${expected.join(',')}`, 20_000, () => (knownProviders(c).join() === [...expected].sort().join() ? true : undefined));
  /** Calls `echo` (or `record`) from `concurrency` loops until `stop` resolves; counts answers per provider. */
  const load = (c: EchoClient, stop: Promise<unknown>, opts: { concurrency?: number; method?: 'echo' | 'record' } = {}) => {
    const served = new Map<string, number>();
    const failures: unknown[] = [];
    let running = true;
    void stop.finally(() => (running = false));
    const loop = async () => {
      while (running) {
        try {
          const answer = await c[opts.method ?? 'echo']({ message: 'x', delayMs: 5 });
          served.set(answer.provider, (served.get(answer.provider) ?? 0) + 1);
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const done = Promise.all(Array.from({ length: opts.concurrency ?? 8 }, loop));
    return { served, failures, done };
  };

  before(async () => {
    zk = await ZooKeeperServer.start();
    registry = await ZkRegistry.connect({ ...infra.zookeeper, connect: zk.connect, sessionTimeoutMs: SESSION_TIMEOUT_MS, logger: testLogger });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.$close()));
    // Graceful, so that no stale znode is left for the next test (kill() leaves one until expiry).
    await Promise.all(providers.splice(0).map((p) => p.stop()));
  });

  after(async () => {
    registry?.close();
    await zk?.stop();
  });

  it("registers providers and consumers in Dubbo's interface-level layout", async () => {
    const provider = await startProvider({ PROVIDER_WEIGHT: '150' });
    const c = await client();
    await waitForProviders(c, [provider.address]);
    const session = registry.currentSession;
    const [node] = await session.getChildren(providersPath(SERVICE));
    const url = decodeURIComponent(node!);
    assert.match(url, /^tri:\/\/127\.0\.0\.1:\d+\/shop\.testing\.v1\.EchoService\?/);
    const params = new URL(url).searchParams;
    assert.equal(params.get('interface'), SERVICE);
    assert.equal(params.get('application'), 'echo-provider');
    assert.equal(params.get('methods'), 'Echo,Record');
    assert.equal(params.get('side'), 'provider');
    assert.equal(params.get('weight'), '150');
    assert.deepEqual(parseProviderNode(node!, SERVICE)?.port, provider.port);
    const consumers = await session.getChildren(`/dubbo/${SERVICE}/consumers`);
    assert.ok(consumers.some((n) => decodeURIComponent(n).startsWith('consumer://') && n.includes('application%3Drpc-test')));
  });

  for (const balancer of ['random', 'roundrobin', 'leastactive'] as const) {
    it(`spreads calls across two providers (${balancer})`, async () => {
      const [a, b] = await Promise.all([startProvider(), startProvider()]);
      const c = await client(balancer);
      await waitForProviders(c, [a!.address, b!.address]);
      const served = new Map<string, number>();
      // Sequential for round robin (exact alternation); concurrent for least active.
      const calls =
        balancer === 'leastactive'
          ? await Promise.all(Array.from({ length: 200 }, () => c.echo({ message: 'x', delayMs: 20 })))
          : await (async () => {
              const out = [];
              for (let i = 0; i < 200; i++) out.push(await c.echo({ message: 'x', delayMs: 0 }));
              return out;
            })();
      for (const answer of calls) served.set(answer.provider, (served.get(answer.provider) ?? 0) + 1);
      const counts = [served.get(a!.address) ?? 0, served.get(b!.address) ?? 0];
      if (balancer === 'roundrobin') assert.deepEqual(counts, [100, 100]);
      else for (const n of counts) assert.ok(n >= 60, `each provider gets a fair share, got ${counts.join('/')}`);
    });
  }

  it('fails over idempotent calls when a provider is SIGKILLed, and its znode expires', async () => {
    const [a, b] = await Promise.all([startProvider(), startProvider()]);
    const c = await client();
    await waitForProviders(c, [a!.address, b!.address]);
    let stop!: () => void;
    const traffic = load(c, new Promise<void>((r) => (stop = r)));
    await new Promise((r) => setTimeout(r, 500));
    await a!.kill();
    await new Promise((r) => setTimeout(r, 2_000));
    stop();
    await traffic.done;
    assert.deepEqual(traffic.failures, [], 'no call failed');
    assert.ok((traffic.served.get(b!.address) ?? 0) > 0);
    const killedAt = Date.now();
    await waitForProviders(c, [b!.address]);
    assert.ok(Date.now() - killedAt < SESSION_TIMEOUT_MS + 5_000, 'the znode went away with the session');
  });

  it('loses no call when a provider stops gracefully under load, even calls not safe to repeat', async () => {
    const [a, b] = await Promise.all([startProvider(), startProvider()]);
    const c = await client();
    await waitForProviders(c, [a!.address, b!.address]);
    let stop!: () => void;
    const traffic = load(c, new Promise<void>((r) => (stop = r)), { method: 'record' });
    await new Promise((r) => setTimeout(r, 500));
    await a!.stop();
    await new Promise((r) => setTimeout(r, 500));
    stop();
    await traffic.done;
    assert.deepEqual(traffic.failures, []);
    assert.ok((traffic.served.get(a!.address) ?? 0) > 0 && (traffic.served.get(b!.address) ?? 0) > 0);
    assert.deepEqual(knownProviders(c), [b!.address]);
  });

  it('keeps calling known providers while ZooKeeper is down, and resumes watching when it is back', async () => {
    const a = await startProvider();
    const c = await client();
    await waitForProviders(c, [a.address]);
    await zk.stop();
    try {
      for (let i = 0; i < 50; i++) assert.equal((await c.echo({ message: `m${i}`, delayMs: 0 })).message, `m${i}`);
    } finally {
      await zk.start();
    }
    const b = await startProvider();
    await waitForProviders(c, [a.address, b.address]);
    const answers = new Set<string>();
    for (let i = 0; i < 40; i++) answers.add((await c.echo({ message: 'x', delayMs: 0 })).provider);
    assert.deepEqual([...answers].sort(), [a.address, b.address].sort());
  });

  it('re-registers a provider whose session expired, and consumers see it again', async () => {
    const a = await startProvider();
    const c = await client();
    await waitForProviders(c, [a.address]);
    const before = await a.session();
    // Take the provider's session over and close it: ZooKeeper expires it (Curator's KillSession).
    // The provider may win its session back before the close lands; then steal it again.
    await eventually('the provider to re-register under a new session', 30_000, async () => {
      const current = await a.session();
      if (current.sessionId === before.sessionId) {
        const thief = await ZkSession.open({ connect: zk.connect, sessionTimeoutMs: SESSION_TIMEOUT_MS, connectTimeoutMs: 2_000 }, current).catch(
          () => undefined,
        );
        thief?.close();
        await sleep(300);
        return undefined;
      }
      return knownProviders(c).includes(a.address) ? current : undefined;
    });
    const [node] = await registry.currentSession.getChildren(providersPath(SERVICE));
    const { stat } = await registry.currentSession.getData(`${providersPath(SERVICE)}/${node}`);
    assert.equal(stat.ephemeralOwner.toString('hex'), (await a.session()).sessionId);
    assert.equal((await c.echo({ message: 'back', delayMs: 0 })).provider, a.address);
  });

  it('fails with a clear UNAVAILABLE error naming the service when no provider exists', async () => {
    const c = await client();
    await assert.rejects(c.echo({ message: 'x', delayMs: 0 }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.UNAVAILABLE);
      assert.match(error.message, /no provider available for shop\.testing\.v1\.EchoService \(none registered in ZooKeeper\)/);
      return true;
    });
  });

  it('names the service when every provider is unreachable', async () => {
    const a = await startProvider();
    const c = await client();
    await waitForProviders(c, [a.address]);
    await a.kill(); // its znode stays until the session times out
    await assert.rejects(c.echo({ message: 'x', delayMs: 0 }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.UNAVAILABLE);
      assert.match(error.message, new RegExp(`no provider available for shop\\.testing\\.v1\\.EchoService/Echo: tried 127\\.0\\.0\\.1:${a.port}`));
      return true;
    });
    await waitForProviders(c, []);
  });

  it('enforces the deadline of a call', async () => {
    const a = await startProvider();
    const c = await client();
    await waitForProviders(c, [a.address]);
    await assert.rejects(c.echo({ message: 'slow', delayMs: 1_000 }, { timeoutMs: 200 }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, ErrorCode.UNAVAILABLE);
      assert.equal(error.grpcCode, 4 /* DEADLINE_EXCEEDED */);
      return true;
    });
  });
});
