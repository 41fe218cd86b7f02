import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateMode, ephemeralOwnerHex, ZkErrorCode, zkErrorCode, ZkSession, type ZkEvent } from '../src/zk';
import { infra } from './support/infra';

describe('ZooKeeper (real server)', () => {
  const root = `/shop-test/${randomUUID()}`;
  let owner: ZkSession;
  let observer: ZkSession;

  before(async () => {
    owner = await ZkSession.open({ ...infra.zookeeper, sessionTimeoutMs: 4_000 });
    observer = await ZkSession.open({ ...infra.zookeeper, sessionTimeoutMs: 4_000 });
    await owner.mkdirp(root);
  });

  after(async () => {
    await observer.remove(root).catch(() => undefined);
    owner.close();
    observer.close();
  });

  it('creates an ephemeral node owned by the session, seen by another session', async () => {
    const path = await owner.create(`${root}/provider-a`, Buffer.from('a'), CreateMode.EPHEMERAL);
    const { data, stat } = await observer.getData(path);
    assert.equal(data?.toString(), 'a');
    assert.equal(ephemeralOwnerHex(stat), owner.sessionId);
    await assert.rejects(owner.create(path, null, CreateMode.EPHEMERAL), (error) => zkErrorCode(error) === ZkErrorCode.NODE_EXISTS);
    await owner.remove(path);
  });

  it('fires a one-shot children watch on create and on remove', async () => {
    // Resolves once the watch is registered on the server; `fired` resolves on the next change
    // (wrapped in an object: an async function returning a promise would wait for it).
    const watchChildren = async (): Promise<{ fired: Promise<ZkEvent> }> => {
      let fired!: Promise<ZkEvent>;
      await new Promise<void>((registered, reject) => {
        fired = new Promise((resolve) => {
          observer.getChildren(root, resolve).then(() => registered(), reject);
        });
      });
      return { fired };
    };

    const createWatch = await watchChildren();
    await owner.create(`${root}/provider-b`, null, CreateMode.EPHEMERAL);
    assert.equal((await createWatch.fired).getName(), 'NODE_CHILDREN_CHANGED');
    assert.deepEqual(await observer.getChildren(root), ['provider-b']);

    // Watches are one-shot: a new call re-arms it for the next change.
    const removeWatch = await watchChildren();
    await owner.remove(`${root}/provider-b`);
    assert.equal((await removeWatch.fired).getName(), 'NODE_CHILDREN_CHANGED');
    assert.deepEqual(await observer.getChildren(root), []);
  });

  it('removes the ephemeral nodes of a session that is closed', async () => {
    const session = await ZkSession.open({ ...infra.zookeeper, sessionTimeoutMs: 4_000 });
    await session.create(`${root}/provider-c`, null, CreateMode.EPHEMERAL);
    let gone!: Promise<string>;
    const stat = await new Promise((registered, reject) => {
      gone = new Promise((resolve) => {
        observer.exists(`${root}/provider-c`, (event) => resolve(event.getName())).then(registered, reject);
      });
    });
    assert.ok(stat, 'the ephemeral node exists before the session closes');
    session.close();
    assert.equal(await gone, 'NODE_DELETED');
    assert.equal(await observer.exists(`${root}/provider-c`), null);
  });

  it('fails with a clear error when ZooKeeper is not reachable', async () => {
    await assert.rejects(ZkSession.open({ connect: '127.0.0.1:1', connectTimeoutMs: 1_000 }), /ZooKeeper 127\.0\.0\.1:1 not reachable within 1000 ms/);
  });
});
