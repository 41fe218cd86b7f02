/**
 * Apache Dubbo 3.3 in Java against the running shop (issue 19, "Interop in CI"), with
 * interop/dubbo-java: Triple, the stack's ZooKeeper, interface-level discovery, stubs generated
 * from proto/ by dubbo-compiler, mutual TLS with the shop's certificates.
 *
 * - A Java consumer presenting order-web's certificate reads every service and places an order
 *   through OrderService.PlaceOrder; one presenting pay-web's reads the payment. Each answer is
 *   decoded with the TypeScript definitions and compared with what the shop's own client gets;
 *   the order, its stock, coupon and balance are checked in the services' tables and through
 *   the front door.
 * - A Java provider of shop.testing.v1.EchoService, presenting echo's certificate, registers in
 *   ZooKeeper; the shop's TypeScript client finds it there and calls it.
 * - Loopback only: the Java processes run with every interface but lo ignored by Dubbo, and each
 *   reports every TCP socket it held (read from /proc all along): all must be on 127.0.0.1.
 *
 * Builds the Maven project first: offline when ~/.m2 holds everything, else from Maven Central
 * (the first run downloads about 150 MB). Needs the system up in the test profile (npm test).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCode } from '../../../common/src/errors';
import {
  createRpcClient,
  parseProviderNode,
  providersPath,
  RpcError,
  ZkRegistry,
  type RpcClient,
  type ServiceContract,
  type UnaryServiceDefinition,
} from '../../../common/src/rpc';
import { secureTree, ZkSession } from '../../../common/src/zk';
import { echoContract } from '../../../common/test/support/echo-contract';
import { eventually, infra, testLogger, transportAs } from '../../../common/test/support/infra';
import { freePort } from '../../../common/test/support/zookeeper-server';
import { couponContract, goodsContract, orderContract, payContract, userContract } from '../../../contracts/src/rpc-contracts';
import { paymentOf } from '../../../web/pay-web/test/support/pay-api';
import { adminLogin, call as http, newCustomer, newGoods, placeOrder } from '../../../web/order-web/test/support/shop-api';
import { SystemState } from '../../../web/order-web/test/support/system-state';

const ROOT = path.resolve(__dirname, '../../..');
const PROJECT = path.join(ROOT, 'interop/dubbo-java');
const ARTIFACTS = path.join(ROOT, 'test-artifacts/dubbo-java');
/** The ZooKeeper members (host:port) a client may hold its session with: one, or each of an ensemble's (the cluster topology). */
const ZK_MEMBERS = infra.zookeeper.connect.split('/')[0]!.split(',');

// JSON lines of the Java programs: shapes the tests check field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Line = any;
type Contract = ServiceContract<UnaryServiceDefinition>;

/** One call for the Java consumer: the proto names, the request encoded by the TypeScript definition. */
interface JavaCall {
  contract: Contract;
  method: string;
  request: Record<string, unknown>;
}

/**
 * `mvn compile` (protoc with dubbo-compiler, javac, target/classpath.txt): offline first, online
 * when the local repository lacks something. Answers how it went, for the spec's report.
 */
function buildJava(): string {
  const started = Date.now();
  const mvn = (offline: boolean) =>
    spawnSync('mvn', [...(offline ? ['-o'] : []), '-B', '-q', '-f', path.join(PROJECT, 'pom.xml'), 'compile'], { encoding: 'utf8', timeout: 15 * 60_000 });
  let build = mvn(true);
  let mode = 'offline';
  if (build.status !== 0) {
    build = mvn(false);
    mode = 'online (first run: Maven Central)';
  }
  if (build.error) throw build.error;
  if (build.status !== 0) throw new Error(`mvn compile failed in ${PROJECT}:\n${build.stdout}\n${build.stderr}`);
  return `${mode}, ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** A Java program of interop/dubbo-java and its JSON lines. */
class JavaProgram {
  readonly lines: Line[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-200_000)));
    createInterface({ input: child.stdout }).on('line', (text) => {
      try {
        this.lines.push(JSON.parse(text));
      } catch {
        this.stderr += `(stdout) ${text}\n`;
      }
    });
    this.exited = new Promise((resolve) =>
      // 'close', not 'exit': every line of its stdout has been read by then.
      child.on('close', (code) => {
        // Kept for a failed CI run: what the program printed (test-artifacts/ is not committed).
        mkdirSync(ARTIFACTS, { recursive: true });
        writeFileSync(path.join(ARTIFACTS, `${name}.jsonl`), this.lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
        writeFileSync(path.join(ARTIFACTS, `${name}.stderr.log`), this.stderr);
        resolve(code);
      }),
    );
  }

  static start(name: string, mainClass: string, settings: object, work: string): JavaProgram {
    const settingsFile = path.join(work, `${name}.json`);
    writeFileSync(settingsFile, JSON.stringify(settings));
    const classpath = `${path.join(PROJECT, 'target/classes')}:${readFileSync(path.join(PROJECT, 'target/classpath.txt'), 'utf8').trim()}`;
    // Dubbo puts its idea of this host in place of any 127.x provider host (and registers it):
    // with every interface but lo ignored, and the host name resolving to 127.0.0.1, that is
    // 127.0.0.1, and nothing is sent to the machine's interfaces. The Java side checks it.
    const ignored = readdirSync('/sys/class/net').filter((name) => name !== 'lo');
    const hostsFile = path.join(work, 'hosts');
    writeFileSync(hostsFile, `127.0.0.1 localhost ${hostname()}\n`);
    const child = spawn(
      'java',
      [
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-Xmx256m',
        `-Ddubbo.network.interface.ignored=${ignored.join(',')}`,
        `-Djdk.net.hosts.file=${hostsFile}`,
        // Dubbo's TLS client names no peer host, which Netty 4.2's default host name check
        // refuses: the consumer checks the provider's certificate itself (OwnerCertProvider).
        '-Dio.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE',
        '-cp',
        classpath,
        mainClass,
        settingsFile,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    return new JavaProgram(name, child);
  }

  of(kind: string): Line[] {
    return this.lines.filter((line) => line.kind === kind);
  }

  one(kind: string): Line {
    const [line] = this.of(kind);
    assert.ok(line, `${this.name} reported no ${kind} line:\n${this.log()}`);
    return line;
  }

  waitFor(kind: string, timeoutMs: number): Promise<Line> {
    return eventually(`${this.name}'s ${kind} line`, timeoutMs, () => {
      if (this.child.exitCode !== null && !this.of(kind).length) throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${this.log()}`);
      return this.of(kind)[0];
    });
  }

  /** Closes its standard input (the provider's signal to stop) and waits for the exit. */
  async finish(timeoutMs = 60_000): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  log(): string {
    const lines = this.stderr.split('\n').filter((line) => !/^\s+at |NetUtils|NullPointerException: Cannot invoke "java.net.NetworkInterface/.test(line));
    return lines.slice(-40).join('\n');
  }
}

/** The host of "a.b.c.d:port" or "[v6]:port". */
const hostOf = (address: string) => address.replace(/:\d+$/, '');

/**
 * The loopback check: Dubbo's local host was 127.0.0.1, and every TCP socket the process held
 * from start to end was on 127.0.0.1 at both ends (listening sockets: bound to 127.0.0.1).
 * Answers the sockets.
 */
function assertLoopbackOnly(program: JavaProgram): { state: string; local: string; remote: string }[] {
  assert.equal(program.one('localhost').host, '127.0.0.1', `${program.name}: Dubbo's local host`);
  const report = program.one('sockets');
  assert.ok(report.scans >= 10, `${program.name} looked at its sockets ${report.scans} times`);
  for (const socket of report.sockets) {
    assert.equal(hostOf(socket.local), '127.0.0.1', `${program.name} held ${JSON.stringify(socket)}`);
    if (socket.state === 'LISTEN') assert.match(socket.remote, /^(0\.0\.0\.0|\[0(:0){7}\]):0$/, `${program.name} held ${JSON.stringify(socket)}`);
    else assert.equal(hostOf(socket.remote), '127.0.0.1', `${program.name} held ${JSON.stringify(socket)}`);
  }
  assert.ok(
    report.sockets.some((socket: Line) => ZK_MEMBERS.includes(socket.remote)),
    `${program.name}'s sockets include its ZooKeeper connection: ${JSON.stringify(report.sockets)}`,
  );
  return report.sockets;
}

/** The proto method name of a contract's method (GetGoods for getGoods). */
const protoName = (contract: Contract, method: string) => contract.definition[method]!.path.split('/')[2]!;

/** A request message with the defaults of its type, then the given fields (nested messages given whole). */
const request = (contract: Contract, method: string, fields: Record<string, unknown>) => ({
  ...(contract.definition[method]!.requestDeserialize(Buffer.alloc(0)) as Record<string, unknown>),
  ...fields,
});

describe('Dubbo Java interop: Apache Dubbo 3.3 over Triple and ZooKeeper, mutual TLS (running system)', function () {
  this.timeout(180_000);
  let work: string;
  let registry: ZkRegistry;
  let state: SystemState;
  let admin: string;
  const clients: { $close(): Promise<void> }[] = [];
  const programs: JavaProgram[] = [];

  before(async function () {
    this.timeout(20 * 60_000);
    if (infra.rpcTls.mode === 'off') throw new Error('these tests need the services started with mutual TLS (RPC_TLS is off)');
    const build = buildJava();
    console.log(`      interop/dubbo-java built (${build})`);
    work = mkdtempSync(path.join(tmpdir(), 'shop-dubbo-java-'));
    registry = await ZkRegistry.connect({ ...infra.zookeeper, logger: testLogger });
    state = await SystemState.open();
    admin = (await adminLogin()).token;
  });

  after(async () => {
    for (const program of programs) program.kill();
    await Promise.all(clients.map((client) => client.$close()));
    // Dubbo's Curator creates the nodes it needs (configurators, routers, a service's folders)
    // with an ACL for the digest alone; zk:secure gives them the shop's (docs/security.md).
    if (registry) {
      const session = await ZkSession.open({ ...infra.zookeeper });
      try {
        const report = await secureTree(session);
        assert.deepEqual(report.refused, [], 'zk:secure could change the ACL of every node the Java side made');
      } finally {
        session.close();
      }
    }
    registry?.close();
    await state?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The shop's own client as `identity`. */
  async function as<D extends UnaryServiceDefinition>(contract: ServiceContract<D>, identity: string): Promise<RpcClient<D>> {
    const client = await createRpcClient(contract, { application: `interop-test-${identity}`, registry, logger: testLogger, transport: transportAs(identity) });
    clients.push(client);
    return client;
  }

  /** The private key in PKCS#8 (Netty reads no other PEM form), in the spec's temporary folder. */
  function pkcs8Key(identity: string): string {
    if (infra.rpcTls.mode === 'off') throw new Error('no TLS');
    const file = path.join(work, `${identity}.key.pem`);
    const key = createPrivateKey(readFileSync(infra.rpcTls.keyFile(identity)));
    writeFileSync(file, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return file;
  }

  /** Starts the Java consumer as `identity` with these calls. */
  function consumer(identity: string, calls: JavaCall[]): JavaProgram {
    if (infra.rpcTls.mode === 'off') throw new Error('no TLS');
    const tls = infra.rpcTls;
    const contracts = [...new Set(calls.map((c) => c.contract))];
    const program = JavaProgram.start(
      `consumer-${identity}`,
      'shop.interop.ShopConsumer',
      {
        application: `dubbo-interop-${identity}`,
        zookeeper: infra.zookeeper.connect,
        digest: infra.zookeeper.digest,
        tls: {
          cert: tls.certFile(identity),
          key: pkcs8Key(identity),
          // Each service's provider must present its owner's certificate.
          owners: Object.fromEntries(contracts.map((c) => [c.name, tls.certFile(c.owner)])),
        },
        calls: calls.map((c) => ({
          service: c.contract.name,
          method: protoName(c.contract, c.method),
          request: Buffer.from(c.contract.definition[c.method]!.requestSerialize(c.request)).toString('base64'),
        })),
      },
      work,
    );
    programs.push(program);
    return program;
  }

  /** The Java consumer's answer to its n-th call: the response decoded by the TypeScript definition, or the status. */
  function answer(
    program: JavaProgram,
    calls: JavaCall[],
    n: number,
  ): { response?: unknown; status?: string; message?: string; errorCode?: string; provider: string } {
    const line = program.of('call')[n];
    assert.ok(line, `${program.name} answered ${program.of('call').length} calls of ${calls.length}:\n${program.log()}`);
    const { contract, method } = calls[n]!;
    assert.deepEqual([line.service, line.method], [contract.name, protoName(contract, method)]);
    if (line.bytes === undefined) return { status: line.status, message: line.message, errorCode: line.errorCode, provider: line.provider };
    return { response: contract.definition[method]!.responseDeserialize(Buffer.from(line.bytes, 'base64')), provider: line.provider };
  }

  /** What the shop's own client gets for the same call: the response, or the error's code. */
  async function expected(client: RpcClient<UnaryServiceDefinition>, c: JavaCall): Promise<{ response?: unknown; code?: string }> {
    try {
      const method = client[c.method] as (request: unknown) => Promise<unknown>;
      return { response: await method(c.request) };
    } catch (error) {
      if (error instanceof RpcError) return { code: error.code };
      throw error;
    }
  }

  /** The registered providers of each service: host:port as ZooKeeper lists them. */
  async function providerAddresses(contracts: Contract[]): Promise<Map<string, string[]>> {
    const addresses = new Map<string, string[]>();
    for (const contract of contracts) {
      const nodes = await registry.currentSession.getChildren(providersPath(contract.name));
      addresses.set(
        contract.name,
        nodes.flatMap((node) => {
          const url = parseProviderNode(node, contract.name);
          return url ? [`${url.host}:${url.port}`] : [];
        }),
      );
    }
    return addresses;
  }

  it('a Java consumer (as order-web, and pay-web) reads every service and places an order: the shop sees the order and the stock it took', async () => {
    // Through the front doors: goods, a customer with balance and a coupon, an order and its payment.
    const goodsId = await newGoods(admin, '30.00', 10);
    const customer = await newCustomer(admin, { balance: '50.00', coupons: ['5.00'] });
    const { userId } = customer;
    const couponId = customer.couponIds[0]!;
    const first = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '0.00' });
    assert.equal(first.body.status, 'CONFIRMED', JSON.stringify(first.body));
    const firstOrderId: string = first.body.orderId;
    const paymentId = await paymentOf(customer.token, firstOrderId);
    const goodsName = (await http('GET', `/api/v1/goods/${goodsId}`)).body.name as string;
    assert.ok(goodsName);

    const c = (contract: Contract, method: string, fields: Record<string, unknown>): JavaCall => ({
      contract,
      method,
      request: request(contract, method, fields),
    });
    const reads = [
      c(goodsContract, 'listGoods', { query: goodsName, size: 5 }),
      c(goodsContract, 'getGoods', { goodsId }),
      c(couponContract, 'listUserCoupons', { userId }),
      c(userContract, 'getUser', { userId }),
      c(userContract, 'getStanding', { userId }),
      c(orderContract, 'getOrder', { orderId: firstOrderId, userId }),
    ];
    const place = c(orderContract, 'placeOrder', {
      userId,
      lines: [{ goodsId, quantity: 2 }],
      couponId,
      balance: '5.00',
      address: '1 Interop Street',
      consignee: 'Duke',
      idempotencyKey: randomUUID(),
    });
    const afterwards = [c(goodsContract, 'getGoods', { goodsId }), c(orderContract, 'listOrders', { userId, size: 10 })];
    const refusedOrMissing = [
      c(goodsContract, 'getGoods', { goodsId: '1' }),
      // Only pay-web may read a payment: the server proves the caller by its certificate.
      c(payContract, 'getPayment', { paymentId, userId }),
    ];
    const orderWebCalls = [...reads, place, ...afterwards, ...refusedOrMissing];
    const payWebCalls = [
      c(payContract, 'getPayment', { paymentId, userId }),
      c(payContract, 'listRefunds', { orderId: firstOrderId, userId, size: 10 }),
      c(userContract, 'getStanding', { userId }),
      c(goodsContract, 'getGoods', { goodsId }),
    ];

    // What the shop's own clients answer the reads before the Java side changes anything.
    const clientsAs = async (identity: string) =>
      new Map<Contract, RpcClient<UnaryServiceDefinition>>(
        await Promise.all(
          [goodsContract, couponContract, userContract, orderContract, payContract].map(
            async (contract) => [contract as Contract, (await as(contract as Contract, identity)) as RpcClient<UnaryServiceDefinition>] as const,
          ),
        ),
      );
    const orderWeb = await clientsAs('order-web');
    const payWeb = await clientsAs('pay-web');
    const expectedReads = await Promise.all(reads.map((r) => expected(orderWeb.get(r.contract)!, r)));
    const expectedPayReads = await Promise.all(payWebCalls.map((r) => expected(payWeb.get(r.contract)!, r)));

    const started = Date.now();
    const orderWebRun = consumer('order-web', orderWebCalls);
    const payWebRun = consumer('pay-web', payWebCalls);
    const codes = await Promise.all([orderWebRun.exited, payWebRun.exited]);
    console.log(`      both Java consumers done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(orderWebRun.of('done').length, 1, `the order-web consumer finished:\n${orderWebRun.log()}`);
    assert.equal(payWebRun.of('done').length, 1, `the pay-web consumer finished:\n${payWebRun.log()}`);
    assert.deepEqual(codes, [0, 0], 'exit 0: every call answered (a refusal is an answer)');

    // The reads: what the shop's own client got, field for field.
    reads.forEach((r, n) => assert.deepEqual(answer(orderWebRun, orderWebCalls, n).response, expectedReads[n]!.response, `${r.contract.name}/${r.method}`));
    payWebCalls.forEach((r, n) => {
      const got = answer(payWebRun, payWebCalls, n);
      if (expectedPayReads[n]!.code)
        assert.deepEqual([got.status, got.errorCode], ['PERMISSION_DENIED', expectedPayReads[n]!.code], `${r.contract.name}/${r.method} as pay-web`);
      else assert.deepEqual(got.response, expectedPayReads[n]!.response, `${r.contract.name}/${r.method} as pay-web`);
    });
    assert.equal(expectedPayReads[3]!.code, ErrorCode.CALLER_NOT_ALLOWED, 'pay-web may not read goods');
    assert.match(answer(payWebRun, payWebCalls, 3).message ?? '', /pay-web may not call shop\.goods\.v1\.GoodsService\/GetGoods/);

    // The order placed by the Java consumer, as the shop sees it.
    const placed = answer(orderWebRun, orderWebCalls, reads.length).response as Line;
    assert.ok(placed, `PlaceOrder answered: ${JSON.stringify(answer(orderWebRun, orderWebCalls, reads.length))}`);
    const orderId: string = placed.orderId;
    assert.equal((await state.order(orderId))?.status, 'CONFIRMED');
    const seen = (await (await as(orderContract, 'order-web')).getOrder({ orderId, userId })) as Line;
    // GetOrder alone fills the history; the trace the placement was recorded in is in both.
    assert.deepEqual({ ...placed, history: [] }, { ...seen, history: [] }, 'PlaceOrder answered the order GetOrder shows');
    assert.equal(placed.userId, userId);
    assert.deepEqual(
      placed.lines.map((line: Line) => [line.goodsId, line.quantity, line.price]),
      [[goodsId, 2, '30.00']],
    );
    assert.deepEqual([placed.couponId, placed.couponPaid, placed.balancePaid], [couponId, '5.00', '5.00']);
    assert.equal(await state.stock(goodsId), 10 - 1 - 2, 'the stock the TypeScript order and the Java order took');
    assert.equal(await state.balance(userId), '45.00', 'the balance the Java order used');
    const coupons = (await (await as(couponContract, 'order-web')).listUserCoupons({ userId })) as Line;
    assert.deepEqual(
      coupons.coupons.map((coupon: Line) => [coupon.couponId, coupon.used, coupon.orderId]),
      [[couponId, true, orderId]],
    );
    const viaFrontDoor = await http('GET', `/api/v1/orders/${orderId}`, { token: customer.token });
    assert.equal(viaFrontDoor.status, 200, JSON.stringify(viaFrontDoor.body));
    assert.equal(viaFrontDoor.body.status, 'CONFIRMED');
    assert.equal(viaFrontDoor.body.payAmount, placed.payAmount);

    // Reads after the placement: the stock left and both orders, as the shop's client sees them.
    for (const [k, r] of afterwards.entries()) {
      const n = reads.length + 1 + k;
      assert.deepEqual(
        answer(orderWebRun, orderWebCalls, n).response,
        (await expected(orderWeb.get(r.contract)!, r)).response,
        `${r.contract.name}/${r.method} after`,
      );
    }
    assert.equal((answer(orderWebRun, orderWebCalls, reads.length + 1).response as Line).stock, 7);

    // A missing id and a refused caller come back as gRPC statuses.
    const [missing, refused] = [orderWebCalls.length - 2, orderWebCalls.length - 1].map((n) => answer(orderWebRun, orderWebCalls, n));
    // With the shop's stable code (the x-error-code trailer), as the shop's own client reads it.
    const [tsMissing, tsRefused] = await Promise.all(refusedOrMissing.map((r) => expected(orderWeb.get(r.contract)!, r)));
    assert.deepEqual([missing!.status, missing!.errorCode], ['NOT_FOUND', tsMissing!.code], JSON.stringify(missing));
    assert.deepEqual([refused!.status, refused!.errorCode], ['PERMISSION_DENIED', ErrorCode.CALLER_NOT_ALLOWED], JSON.stringify(refused));
    assert.equal(tsRefused!.code, ErrorCode.CALLER_NOT_ALLOWED);
    assert.match(refused!.message ?? '', /order-web may not call shop\.pay\.v1\.PayService\/GetPayment/);

    // Discovery: the consumers registered themselves, and used the providers ZooKeeper lists.
    const contracts = [goodsContract, couponContract, userContract, orderContract, payContract] as Contract[];
    const registered = await providerAddresses(contracts);
    for (const program of [orderWebRun, payWebRun]) {
      const consumers: string[] = program.one('registered').consumers;
      const services = new Set(program === orderWebRun ? orderWebCalls.map((x) => x.contract.name) : payWebCalls.map((x) => x.contract.name));
      assert.deepEqual(
        consumers.map((url) => new URL(url).pathname.slice(1)).sort(),
        [...services].sort(),
        `${program.name} registered as a consumer of each service`,
      );
      // Dubbo 3 registers a consumer as tri://<its host>/<service>?category=consumers&side=consumer.
      for (const url of consumers) {
        assert.match(url, /^tri:\/\/127\.0\.0\.1\//, `${program.name} registered ${url}`);
        assert.deepEqual(
          ['category', 'side'].map((key) => new URL(url).searchParams.get(key)),
          ['consumers', 'consumer'],
          url,
        );
      }
      for (const { service, urls } of program.one('invokers').services as { service: string; urls: string[] }[]) {
        assert.ok(urls.length > 0, `${program.name} had providers of ${service}`);
        for (const url of urls) {
          const { hostname: host, port } = new URL(url);
          assert.equal(host, '127.0.0.1', `${program.name}'s invoker ${url}`);
          assert.ok(registered.get(service)?.includes(`${host}:${port}`), `${program.name}'s invoker ${host}:${port} is a registered provider of ${service}`);
        }
      }
      for (const line of program.of('call')) assert.match(line.provider, /^127\.0\.0\.1:\d+$/, `${program.name}: ${line.method} went to ${line.provider}`);
    }

    // Loopback: every socket, and a connection to a provider of every service called.
    for (const program of [orderWebRun, payWebRun]) {
      const remotes = new Set(assertLoopbackOnly(program).map((socket) => socket.remote));
      for (const line of program.of('call')) assert.ok(remotes.has(line.provider), `${program.name}'s sockets include its connection to ${line.provider}`);
    }
  });

  it('the TypeScript client finds a Java provider of EchoService in ZooKeeper and calls it over mutual TLS', async () => {
    if (infra.rpcTls.mode === 'off') throw new Error('no TLS');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const provider = JavaProgram.start(
      'provider-echo',
      'shop.interop.EchoProvider',
      {
        application: 'dubbo-interop-echo',
        zookeeper: infra.zookeeper.connect,
        digest: infra.zookeeper.digest,
        port,
        // The TypeScript client accepts an EchoService provider only if it proves to be `echo`.
        tls: { ca: infra.rpcTls.caFile, cert: infra.rpcTls.certFile(echoContract.owner), key: pkcs8Key(echoContract.owner) },
      },
      work,
    );
    programs.push(provider);
    await provider.waitFor('exported', 90_000);

    // Its node, as Dubbo registered it.
    const nodes = (await registry.currentSession.getChildren(providersPath(echoContract.name))).map((node) => decodeURIComponent(node));
    const mine = nodes.filter((url) => url.includes('application=dubbo-interop-echo'));
    assert.equal(mine.length, 1, JSON.stringify(nodes));
    const url = new URL(mine[0]!);
    assert.deepEqual([url.protocol, url.host, url.pathname], ['tri:', address, `/${echoContract.name}`]);
    assert.deepEqual(
      ['side', 'interface', 'bind.ip'].map((key) => url.searchParams.get(key)),
      ['provider', echoContract.name, null],
    );

    const client = await createRpcClient(echoContract, { application: 'dubbo-interop-test', registry, logger: testLogger, transport: transportAs('ops') });
    clients.push(client);
    await eventually(`the Java provider among ${echoContract.name}'s`, 10_000, () => (client.$providers().some((p) => p.id === address) ? true : undefined));
    assert.deepEqual(
      client.$providers().map((p) => p.id),
      [address],
      'the Java provider is the only EchoService provider in the stack',
    );
    // The first call waits for the cold JVM's first handshake.
    assert.deepEqual(await client.echo({ message: 'hello from TypeScript', delayMs: 0 }, { timeoutMs: 30_000 }), {
      message: 'hello from TypeScript',
      provider: address,
    });
    for (let i = 0; i < 10; i++) {
      const method = i % 2 === 0 ? client.echo : client.record;
      assert.deepEqual(await method({ message: `call ${i}`, delayMs: 1 }), { message: `call ${i}`, provider: address });
    }
    // Each line is printed before the answer leaves, but read from another pipe: wait for the last.
    const served = await eventually('11 calls served', 5_000, () => (provider.of('served').length >= 11 ? provider.of('served') : undefined));
    assert.equal(served.length, 11);
    assert.deepEqual(
      served.map((line) => [line.method, line['x-caller-app']]),
      [['Echo', 'dubbo-interop-test'], ...Array.from({ length: 10 }, (_, i) => [i % 2 === 0 ? 'Echo' : 'Record', 'dubbo-interop-test'])],
    );

    assert.equal(await provider.finish(), 0, provider.log());
    const sockets = assertLoopbackOnly(provider);
    const listening = sockets.filter((socket) => socket.state === 'LISTEN');
    assert.deepEqual(
      listening.map((socket) => socket.local),
      [address],
      'it listened on 127.0.0.1 only (Dubbo alone would bind 0.0.0.0), on no other port',
    );
    // Stopped: its node is gone.
    await eventually('the Java provider unregistered', 15_000, async () =>
      (await registry.currentSession.getChildren(providersPath(echoContract.name))).some((node) => decodeURIComponent(node).includes(`//${address}/`))
        ? undefined
        : true,
    );
  });
});
