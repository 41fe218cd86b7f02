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
    assert.deepEqual(
      ['dubbo', 'release', 'serialization', 'prefer.serialization'].map((key) => params.get(key)),
      ['2.0.2', 'shop-0.1.0', 'protobuf', 'protobuf'],
      'what Dubbo tooling shows',
    );
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

  describe("Dubbo Admin's override rules (configurators), applied by the TS clients", () => {
    const written: string[] = [];
    /** Writes a rule as Dubbo Admin does: a persistent child of configurators/ (or routers/). */
    const writeRule = async (url: string, folder: 'configurators' | 'routers' = 'configurators') => {
      const path = `/dubbo/${SERVICE}/${folder}/${encodeURIComponent(url)}`;
      await registry.currentSession.mkdirp(`/dubbo/${SERVICE}/${folder}`);
      await registry.currentSession.create(path);
      written.push(path);
      return path;
    };
    const removeRule = async (path: string) => {
      await registry.currentSession.remove(path);
      written.splice(written.indexOf(path), 1);
    };
    /** Sequential calls; answers per provider. */
    const spread = async (c: EchoClient, calls: number) => {
      const served = new Map<string, number>();
      for (let i = 0; i < calls; i++) {
        const { provider } = await c.echo({ message: 'x', delayMs: 0 });
        served.set(provider, (served.get(provider) ?? 0) + 1);
      }
      return served;
    };

    afterEach(async () => {
      for (const path of written.splice(0)) await registry.currentSession.remove(path).catch(() => undefined);
    });

    it('disables one provider by address within a second, and gives it work again when the rule is removed', async () => {
      const [a, b] = await Promise.all([startProvider(), startProvider()]);
      const c = await client('roundrobin');
      await waitForProviders(c, [a!.address, b!.address]);
      const rule = await writeRule(`override://${a!.address}/${SERVICE}?category=configurators&dynamic=false&enabled=true&disabled=true`);
      const written = Date.now();
      await eventually('provider a disabled', 1_000, () => (c.$providers().find((p) => p.id === a!.address)?.governed.disabled ? true : undefined));
      const whileDisabled = await spread(c, 40);
      assert.deepEqual([...whileDisabled.keys()], [b!.address], `every call on b while a is disabled (${Date.now() - written} ms after the rule)`);
      await removeRule(rule);
      await eventually('provider a enabled again', 1_000, () =>
        c.$providers().find((p) => p.id === a!.address)?.governed.disabled === false ? true : undefined,
      );
      const after = await spread(c, 40);
      assert.deepEqual([after.get(a!.address), after.get(b!.address)], [20, 20], 'round robin over both again');
    });

    it('shifts the share of calls with a weight rule for one provider', async () => {
      const [a, b] = await Promise.all([startProvider(), startProvider()]);
      const c = await client('roundrobin');
      await waitForProviders(c, [a!.address, b!.address]);
      await writeRule(`override://${a!.address}/${SERVICE}?category=configurators&enabled=true&weight=300`);
      await eventually('weight 300 on a', 1_000, () => (c.$providers().find((p) => p.id === a!.address)?.weight === 300 ? true : undefined));
      const served = await spread(c, 80);
      assert.deepEqual([served.get(a!.address), served.get(b!.address)], [60, 20], 'three calls to a for each one to b');
    });

    it('gives every call of the service the deadline of a timeout rule, and a method its own', async () => {
      const a = await startProvider();
      const c = await client();
      await waitForProviders(c, [a.address]);
      const slow = { message: 'slow', delayMs: 600 };
      assert.equal((await c.echo(slow)).provider, a.address, 'the contract allows 600 ms');
      const serviceRule = await writeRule(`override://0.0.0.0/${SERVICE}?category=configurators&enabled=true&timeout=150`);
      await eventually('timeout rule applied', 1_000, () => (c.$providers()[0]?.governed.timeoutMs === 150 ? true : undefined));
      const started = Date.now();
      await assert.rejects(c.echo(slow), (error: unknown) => error instanceof RpcError && error.grpcCode === 4 /* DEADLINE_EXCEEDED */);
      assert.ok(Date.now() - started < 500, `the rule's 150 ms deadline, not the contract's (${Date.now() - started} ms)`);
      await removeRule(serviceRule);
      await writeRule(`override://0.0.0.0/${SERVICE}?category=configurators&enabled=true&record.timeout=150`);
      await eventually('method timeout rule applied', 1_000, () => (c.$providers()[0]?.governed.methodTimeoutsMs.record === 150 ? true : undefined));
      await assert.rejects(c.record(slow), (error: unknown) => error instanceof RpcError && error.grpcCode === 4);
      assert.equal((await c.echo(slow)).provider, a.address, 'Echo keeps the contract deadline');
    });

    it('ignores rules for other consumer applications and rules switched off', async () => {
      const a = await startProvider();
      const c = await client();
      await waitForProviders(c, [a.address]);
      await writeRule(`override://${a.address}/${SERVICE}?category=configurators&enabled=true&application=someone-else&disabled=true`);
      await writeRule(`override://${a.address}/${SERVICE}?category=configurators&enabled=false&disabled=true`);
      await eventually('rules read', 1_000, () => (c.$providers().length === 1 ? true : undefined));
      await sleep(300);
      assert.equal((await c.echo({ message: 'x', delayMs: 0 })).provider, a.address);
    });

    it('keeps calling through tag and condition router rules, which it does not apply', async () => {
      const a = await startProvider();
      await writeRule(
        `condition://0.0.0.0/${SERVICE}?category=routers&dynamic=false&enabled=true&force=true&runtime=false&rule=${encodeURIComponent('=> host != 127.0.0.1')}`,
        'routers',
      );
      await writeRule(`route://0.0.0.0/${SERVICE}?category=routers&rule=garbage%%`, 'routers');
      const c = await client();
      await waitForProviders(c, [a.address]);
      assert.equal((await c.echo({ message: 'x', delayMs: 0 })).provider, a.address);
    });
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
