/**
 * The services' own ports, attacked from inside the network (issue 17): plain gRPC, TLS without
 * a client certificate, a certificate of the shop's CA used on a method its owner may not call,
 * and a provider registered under a service it cannot prove to be. Against the running system;
 * every refused call is followed by a look at the tables it would have changed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client, credentials, Metadata, status as GrpcStatus, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { loadInfraConfig } from '@shop/common/config';
import { ErrorCode } from '@shop/common/errors';
import { SnowflakeGenerator } from '@shop/common/ids';
import { createLogger } from '@shop/common/log';
import {
  createRpcClient,
  RpcError,
  RpcServer,
  RpcTransport,
  ZkRegistry,
  type RpcClient,
  type ServiceContract,
  type ServiceHandlers,
  type UnaryServiceDefinition,
} from '@shop/common/rpc';
import { couponContract, goodsContract, orderContract, payContract, userContract } from '@shop/contracts';
import { withSystem } from './support/end-to-end';
import { newCustomer, newGoods, placeOrder } from './support/shop-api';
import type { SystemState } from './support/system-state';

const infra = loadInfraConfig();
const logger = createLogger('internal-calls-test', process.env.LOG_LEVEL ?? 'silent');
const ids = new SnowflakeGenerator(917);

describe('internal calls: mutual TLS and per-method callers (running services)', function () {
  this.timeout(60_000);
  let admin: string;
  let state: SystemState;
  let registry: ZkRegistry;
  const clients: { $close(): Promise<void> }[] = [];
  withSystem(
    (system) =>
      ({
        admin: { token: admin },
        state,
      } = system),
  );

  before(async () => {
    if (infra.rpcTls.mode === 'off') throw new Error('these tests need the services started with mutual TLS (RPC_TLS is off)');
    registry = await ZkRegistry.connect({ ...infra.zookeeper, logger });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.$close()));
    registry?.close();
  });

  async function as<D extends UnaryServiceDefinition>(contract: ServiceContract<D>, identity: string): Promise<RpcClient<D>> {
    const client = await createRpcClient(contract, { application: identity, registry, logger, transport: RpcTransport.fromConfig(infra.rpcTls, identity) });
    clients.push(client);
    return client;
  }

  /** One call straight to a provider's address with the given credentials, outside the shop's client. */
  function rawCall(
    address: string,
    channelCredentials: ChannelCredentials,
    method: UnaryServiceDefinition[string],
    request: unknown,
    owner: string,
  ): Promise<ServiceError> {
    const client = new Client(address, channelCredentials, { 'grpc.ssl_target_name_override': owner });
    return new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new Metadata(),
        { deadline: Date.now() + 3_000 },
        (error) => {
          client.close();
          return error ? resolve(error) : reject(new Error(`${method.path} answered a caller it should have refused`));
        },
      ),
    );
  }

  /** The attacks' targets: a customer with balance and a confirmed order, and goods in stock. */
  async function victim() {
    const goodsId = await newGoods(admin, '10.00', 5);
    const customer = await newCustomer(admin, { balance: '50.00', coupons: ['3.00'] });
    const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }], balance: '0.00' });
    assert.equal(placed.body.status, 'CONFIRMED', JSON.stringify(placed.body));
    const coupons = async () => (await (await as(couponContract, 'order-web')).listUserCoupons({ userId: customer.userId })).coupons.length;
    const snapshot = async () => ({
      stock: await state.stock(goodsId),
      balance: await state.balance(customer.userId),
      coupons: await coupons(),
      order: (await state.order(placed.body.orderId))?.status,
      refunds: (await state.refunds(placed.body.orderId)).length,
    });
    return { goodsId, customer, orderId: placed.body.orderId as string, snapshot, before: await snapshot() };
  }

  /** A money- or stock-moving call of each service, for the attacker to try. */
  function attacks(target: Awaited<ReturnType<typeof victim>>) {
    const { goodsId, customer, orderId } = target;
    return [
      { contract: userContract, method: 'recharge', request: { requestId: randomUUID(), userId: customer.userId, amount: '1000.00' } },
      { contract: userContract, method: 'refundBalance', request: { orderId, userId: customer.userId, refundId: randomUUID(), amount: '40.00' } },
      { contract: couponContract, method: 'grantCoupon', request: { requestId: randomUUID(), userId: customer.userId, amount: '99.00' } },
      { contract: goodsContract, method: 'releaseStock', request: { orderId } },
      { contract: goodsContract, method: 'reduceStock', request: { orderId: ids.next(), lines: [{ goodsId, quantity: 4 }] } },
      // An empty user id is the admin's cancel.
      { contract: orderContract, method: 'cancelOrder', request: { orderId, userId: '', reason: 'attack', operatorId: '' } },
      {
        contract: payContract,
        method: 'requestRefund',
        request: { requestId: randomUUID(), orderId, userId: customer.userId, amount: '', reason: 'attack', items: [] },
      },
    ] as const;
  }

  it('plain gRPC and TLS without a client certificate are refused by every service; nothing changes', async () => {
    const target = await victim();
    const ca = readFileSync(infra.rpcTls.mode === 'mutual' ? infra.rpcTls.caFile : '');
    for (const attack of attacks(target)) {
      const contract = attack.contract as ServiceContract<UnaryServiceDefinition>;
      const method = contract.definition[attack.method]!;
      const providers = (await as(contract, 'ops')).$providers();
      assert.ok(providers.length > 0, `${contract.name} has providers`);
      for (const provider of providers) {
        const plain = await rawCall(provider.id, credentials.createInsecure(), method, attack.request, contract.owner);
        assert.equal(plain.code, GrpcStatus.UNAVAILABLE, `plain gRPC to ${contract.name}/${attack.method}: ${plain.message}`);
        const noCertificate = await rawCall(provider.id, credentials.createSsl(ca), method, attack.request, contract.owner);
        assert.equal(noCertificate.code, GrpcStatus.UNAVAILABLE, `TLS without a certificate to ${contract.name}/${attack.method}: ${noCertificate.message}`);
      }
    }
    assert.deepEqual(await target.snapshot(), target.before);
  });

  it("another service's certificate on a method it may not call is refused (CALLER_NOT_ALLOWED); nothing changes", async () => {
    const target = await victim();
    // Each method tried with identities of the shop that it does not admit, the front doors included.
    const identities = ['coupon', 'goods', 'user', 'order', 'pay', 'order-web', 'pay-web'];
    let refused = 0;
    for (const attack of attacks(target)) {
      const contract = attack.contract as ServiceContract<UnaryServiceDefinition>;
      const admitted = contract.policies[attack.method]!.callers;
      for (const identity of identities.filter((name) => !admitted.includes(name))) {
        const client = (await as(contract, identity)) as unknown as Record<string, (request: unknown) => Promise<unknown>>;
        await assert.rejects(client[attack.method]!(attack.request), (error: unknown) => {
          assert.ok(error instanceof RpcError, String(error));
          assert.equal(error.code, ErrorCode.CALLER_NOT_ALLOWED, `${identity} -> ${contract.name}/${attack.method}: ${error.message}`);
          assert.equal(error.grpcCode, GrpcStatus.PERMISSION_DENIED);
          return true;
        });
        refused++;
      }
    }
    assert.ok(refused >= 30, `${refused} refusals`);
    assert.deepEqual(await target.snapshot(), target.before);

    // The same kind of call from the identity that may make it goes through: the rule, not the
    // test, made the difference.
    assert.deepEqual(
      await (await as(goodsContract, 'order')).reduceStock({ orderId: ids.next(), lines: [{ goodsId: target.goodsId, quantity: 1, price: '' }] }),
      {
        applied: true,
      },
    );
    assert.equal(await state.stock(target.goodsId), target.before.stock - 1);
  });

  it("a provider registered under a service whose owner it cannot prove is passed over by the shop's clients", async () => {
    // Someone with the ZooKeeper digest and the coupon service's certificate poses as the user
    // service: a UserService whose every answer would be a lie.
    let fakeCalls = 0;
    const lie = async () => {
      fakeCalls++;
      return { userId: '1', username: 'root', balance: '1000000.00', points: '0', role: 2, banned: false, banReason: '' };
    };
    const handlers = Object.fromEntries(Object.keys(userContract.definition).map((key) => [key, lie])) as unknown as ServiceHandlers<
      typeof userContract.definition
    >;
    const fake = new RpcServer({
      application: 'user',
      registry,
      logger,
      transport: RpcTransport.fromConfig(infra.rpcTls, 'coupon'),
      advertisedHost: '127.0.0.1',
      bindHost: '127.0.0.1',
      port: 0,
      unregisterGraceMs: 0,
    });
    fake.addService(userContract, handlers);
    await fake.start();
    try {
      const customer = await newCustomer(admin, { balance: '12.00' });
      const users = await as(userContract, 'order');
      const deadline = Date.now() + 10_000;
      while (!users.$providers().some((provider) => provider.id === fake.address)) {
        assert.ok(Date.now() < deadline, 'the client learns of the fake provider from ZooKeeper');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (let i = 0; i < 40; i++) {
        const answer = await users.getUser({ userId: customer.userId });
        assert.equal(answer.balance, '12.00', 'answered by the real user service');
      }
      assert.equal(fakeCalls, 0, 'no call reached the fake provider');
    } finally {
      await fake.shutdown();
    }
  });
});
