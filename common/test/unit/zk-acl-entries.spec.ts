import assert from 'node:assert/strict';
import zookeeper from 'node-zookeeper-client';
import { digestId, permissionsOf, sameAcls, shopAcls } from '../../src/zk';

const entries = (acls: ReturnType<typeof shopAcls>) => acls.map((acl) => [acl.id.scheme, acl.id.id, permissionsOf(acl)]);

describe("the ACL of the shop's ZooKeeper nodes", () => {
  it('names a digest identity as ZooKeeper does: user:base64(sha1(user:password))', () => {
    // Computed apart: echo -n user:password | openssl dgst -binary -sha1 | openssl base64
    // (ZooKeeper accepting the ids so made is proven against the real server: common/test/zk-acl.spec.ts).
    assert.equal(digestId('user:password'), 'user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=');
  });

  it('grants everything to the digest (and the previous one), reading to anyone', () => {
    assert.deepEqual(entries(shopAcls({ digest: 'user:password' })), [
      ['digest', 'user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=', zookeeper.Permission.ALL],
      ['world', 'anyone', zookeeper.Permission.READ],
    ]);
    assert.deepEqual(
      entries(shopAcls({ digest: 'shop:new', previousDigest: 'user:password' })).map(([scheme, id]) => `${scheme}:${id}`),
      [`digest:${digestId('shop:new')}`, 'digest:user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=', 'world:anyone'],
    );
    assert.throws(() => shopAcls({}), /needs a digest/);
  });

  it('compares ACLs as sets of (id, rights), whatever their order', () => {
    const acls = shopAcls({ digest: 'user:password' });
    assert.ok(sameAcls(acls, [...acls].reverse()));
    assert.ok(!sameAcls(acls, shopAcls({ digest: 'user:other' })));
    assert.ok(!sameAcls(acls, acls.slice(0, 1)));
    const readOnlyDigest = [new zookeeper.ACL(zookeeper.Permission.READ, acls[0]!.id), acls[1]!];
    assert.ok(!sameAcls(acls, readOnlyDigest), 'the same ids with other rights differ');
  });
});
