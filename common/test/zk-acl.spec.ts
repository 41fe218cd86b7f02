/**
 * Digest ACLs on the shop's ZooKeeper trees (common/src/zk/zk-acl.ts, secure-tree.ts), against
 * the local stack's ZooKeeper, where the running system's providers live. The intruder is a
 * session without credentials: node-zookeeper-client as anyone reaching port 2181 would use it.
 * The provider nodes this spec writes are dubbo:// URLs, which the shop's consumers pass over
 * (they speak gRPC only), so that the running system never calls them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { providersPath, ZkRegistry } from '../src/rpc';
import { CreateMode, digestId, sameAcls, secureTree, shopAcls, ZkErrorCode, zkErrorCode, ZkSession, type ZkSessionState } from '../src/zk';
import { infra, testLogger } from './support/infra';
import { FaultyRelay } from './support/faulty-relay';

const SERVICE = 'shop.user.v1.UserService';
const PROVIDERS = providersPath(SERVICE);
const refusedNoAuth = (error: unknown) => zkErrorCode(error) === ZkErrorCode.NO_AUTH;

/** A provider node of this service, as Dubbo writes it (the URL, encoded, is the node's name). */
function providerNode(protocol: 'tri' | 'dubbo', application: string): string {
  const url = `${protocol}://127.0.0.1:1/${SERVICE}?application=${application}&interface=${SERVICE}&methods=Authenticate&side=provider&timestamp=${Date.now()}`;
  return `${PROVIDERS}/${encodeURIComponent(url)}`;
}

describe('ZooKeeper ACLs on /dubbo and /shop (real server)', function () {
  this.timeout(30_000);
  /** The shop's side: a registry with the digest, as every process of the shop connects. */
  let shop: ZkRegistry;
  /** Someone else on the network, without the digest. */
  let intruder: ZkSession;
  /** Another process of the shop (an operator's tool), with the digest. */
  let operator: ZkSession;
  let realProvider: string;

  before(async () => {
    assert.ok(infra.zookeeper.digest, 'the tests run with a digest (ZK_DIGEST, or the development default)');
    shop = await ZkRegistry.connect({ ...infra.zookeeper, logger: testLogger });
    // What `system.sh up` does before its processes start: the trees may predate the ACLs.
    await secureTree(shop.currentSession);
    intruder = await ZkSession.open({ connect: infra.zookeeper.connect });
    operator = await ZkSession.open(infra.zookeeper);
    realProvider = providerNode('dubbo', 'zk-acl-test');
    await shop.register(realProvider, Buffer.from('registered by the shop'));
  });

  after(() => {
    shop?.close();
    intruder?.close();
    operator?.close();
  });

  it('refuses a fake provider registered without the digest (NO_AUTH), and nothing is added', async () => {
    const before = (await intruder.getChildren(PROVIDERS)).sort();
    const fake = providerNode('tri', 'user');
    await assert.rejects(intruder.create(fake, null, CreateMode.EPHEMERAL), refusedNoAuth);
    // Nor under a service folder of its own, nor as a snowflake worker lease.
    await assert.rejects(intruder.mkdirp(`/dubbo/shop.fake.v1.FakeService/providers`), refusedNoAuth);
    await assert.rejects(intruder.mkdirp(`/shop/workers/goods/${randomUUID()}`), refusedNoAuth);

    assert.deepEqual((await intruder.getChildren(PROVIDERS)).sort(), before);
    assert.equal(await intruder.exists(fake), null);
    assert.equal(await intruder.exists('/dubbo/shop.fake.v1.FakeService'), null);
  });

  it('lets a client without the digest neither remove nor rewrite a provider, nor open the ACL of a node or of /dubbo', async () => {
    await assert.rejects(intruder.remove(realProvider), refusedNoAuth);
    await assert.rejects(intruder.setData(realProvider, Buffer.from('tri://attacker')), refusedNoAuth);
    const intrudersAcl = shopAcls({ digest: 'intruder:secret' });
    await assert.rejects(intruder.setAcl(realProvider, intrudersAcl), refusedNoAuth);
    await assert.rejects(intruder.setAcl('/dubbo', intrudersAcl), refusedNoAuth);
    await assert.rejects(intruder.setAcl(PROVIDERS, intrudersAcl), refusedNoAuth);

    const { data } = await intruder.getData(realProvider);
    assert.equal(data?.toString(), 'registered by the shop');
    assert.ok(sameAcls((await operator.getAcl(realProvider)).acls, shopAcls(infra.zookeeper)));
    assert.ok(sameAcls((await operator.getAcl('/dubbo')).acls, shopAcls(infra.zookeeper)));
  });

  it('lets another session with the digest rewrite and remove a provider of the shop', async () => {
    const node = providerNode('dubbo', 'zk-acl-test-removed');
    await shop.register(node);
    await operator.setData(node, Buffer.from('rewritten'));
    assert.equal((await intruder.getData(node)).data?.toString(), 'rewritten');
    await operator.remove(node);
    assert.equal(await intruder.exists(node), null);
    // And set the tree's ACL (to the same one here).
    await operator.setAcl('/dubbo', operator.acls);
  });

  it('lets anyone read the services, their providers and what each one says; the ACL without its digest hash', async () => {
    assert.ok((await intruder.getChildren('/dubbo')).includes(SERVICE));
    assert.ok((await intruder.getChildren(PROVIDERS)).includes(realProvider.slice(PROVIDERS.length + 1)));
    assert.equal((await intruder.getData(realProvider)).data?.toString(), 'registered by the shop');
    // ZooKeeper (since 3.4.14) shows a digest's hash only to those with ADMIN on the node.
    const user = infra.zookeeper.digest.slice(0, infra.zookeeper.digest.indexOf(':'));
    const idsSeenBy = async (session: ZkSession) => (await session.getAcl(realProvider)).acls.map((acl) => `${acl.id.scheme}:${acl.id.id}`).sort();
    assert.deepEqual(await idsSeenBy(intruder), [`digest:${user}:x`, 'world:anyone']);
    assert.deepEqual(await idsSeenBy(operator), [`digest:${digestId(infra.zookeeper.digest)}`, 'world:anyone']);
  });

  it('secures an open tree, once: open nodes get the ACL, a second run changes nothing', async () => {
    // A tree as an older version of the shop left it: every node created open.
    const root = `/shop-test-acl-${randomUUID()}`;
    await intruder.mkdirp(`${root}/shop.user.v1.UserService/providers`);
    await intruder.create(`${root}/shop.user.v1.UserService/providers/old-provider`, null, CreateMode.EPHEMERAL);

    const first = await secureTree(operator, [root]);
    assert.deepEqual(
      first.secured.sort(),
      [
        root,
        `${root}/shop.user.v1.UserService`,
        `${root}/shop.user.v1.UserService/providers`,
        `${root}/shop.user.v1.UserService/providers/old-provider`,
      ].sort(),
    );
    assert.deepEqual(first.refused, []);
    assert.equal(first.checked, 4);
    for (const path of first.secured) assert.ok(sameAcls((await operator.getAcl(path)).acls, shopAcls(infra.zookeeper)), path);
    await assert.rejects(intruder.remove(`${root}/shop.user.v1.UserService/providers/old-provider`), refusedNoAuth);
    await assert.rejects(intruder.create(`${root}/shop.user.v1.UserService/providers/fake`, null, CreateMode.EPHEMERAL), refusedNoAuth);

    const second = await secureTree(operator, [root]);
    assert.deepEqual({ secured: second.secured, refused: second.refused, checked: second.checked }, { secured: [], refused: [], checked: 4 });

    for (const path of ['/shop.user.v1.UserService/providers/old-provider', '/shop.user.v1.UserService/providers', '/shop.user.v1.UserService', '']) {
      await operator.remove(`${root}${path}`);
    }
  });

  it('finds the real trees secured already (what system.sh up did, then the processes kept)', async () => {
    const report = await secureTree(operator);
    assert.deepEqual(report.secured, [], 'every node of /dubbo and /shop carried the ACL');
    assert.ok(report.checked > 3);
  });

  it('refuses to secure without a digest: it would have no identity to grant', async () => {
    await assert.rejects(secureTree(intruder), /needs a session with the digest/);
  });

  it('does not let a node of a foreign digest be taken over, and says so', async () => {
    const root = `/shop-test-acl-${randomUUID()}`;
    const stranger = await ZkSession.open({ connect: infra.zookeeper.connect, digest: 'stranger:not-the-shop' });
    try {
      await stranger.mkdirp(root);
      const report = await secureTree(operator, [root]);
      assert.deepEqual(report.refused, [root]);
      assert.ok(sameAcls((await stranger.getAcl(root)).acls, stranger.acls));
    } finally {
      await stranger.remove(root);
      stranger.close();
    }
  });

  it('with a previous digest (a rotation), writes nodes both digests may change', async () => {
    const root = `/shop-test-acl-${randomUUID()}`;
    const rotating = await ZkSession.open({ connect: infra.zookeeper.connect, digest: 'shop:the-next-digest', previousDigest: infra.zookeeper.digest });
    try {
      await rotating.mkdirp(`${root}/child`);
      assert.ok(sameAcls((await operator.getAcl(`${root}/child`)).acls, shopAcls({ digest: 'shop:the-next-digest', previousDigest: infra.zookeeper.digest })));
      await operator.remove(`${root}/child`); // a process still on the old digest
      await rotating.remove(root);
    } finally {
      rotating.close();
    }
  });

  it('authenticates a reconnected session before the requests made while it was disconnected', async () => {
    const relay = await FaultyRelay.start(infra.zookeeper.connect);
    const session = await ZkSession.open({ ...infra.zookeeper, connect: relay.connect, sessionTimeoutMs: 3_000 });
    const root = `/shop-test-acl-${randomUUID()}`;
    try {
      await session.mkdirp(root);
      // Made while the client reconnects: queued, then sent on the new connection.
      const made = new Promise<string>((resolve, reject) => {
        const stop = session.onState((state: ZkSessionState) => {
          if (state !== 'disconnected') return;
          stop();
          session.create(`${root}/while-disconnected`, null, CreateMode.PERSISTENT).then(resolve, reject);
        });
      });
      relay.silenceOpenConnections();
      assert.equal(await made, `${root}/while-disconnected`);
      assert.equal(relay.connections.length, 2, 'the session reconnected once');
      assert.ok(sameAcls((await operator.getAcl(`${root}/while-disconnected`)).acls, shopAcls(infra.zookeeper)));
      await session.remove(`${root}/while-disconnected`);
      await session.remove(root);
    } finally {
      session.close();
      await relay.stop();
    }
  });
});
