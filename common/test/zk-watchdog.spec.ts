/**
 * The connection watchdog (common/src/zk/connection-watchdog.ts) against the real ZooKeeper of
 * the local stack, reached through a TCP relay that can turn silent: it keeps the connection
 * open and forwards nothing, like a ZooKeeper server that failed to close a connection while
 * starting up, or a half-open connection after a network fault.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateMode, ZkSession, type ZkSessionState } from '../src/zk';
import { infra } from './support/infra';
import { FaultyRelay } from './support/faulty-relay';

describe('ZooKeeper connection watchdog (real server behind a relay)', function () {
  this.timeout(30_000);
  const SESSION_TIMEOUT_MS = 3_000;
  let relay: FaultyRelay;
  const sessions: ZkSession[] = [];

  beforeEach(async () => {
    relay = await FaultyRelay.start(infra.zookeeper.connect);
  });

  afterEach(async () => {
    for (const session of sessions.splice(0)) session.close();
    await relay.stop();
  });

  it('gives up on a connection whose handshake is never answered, and connects on the next', async () => {
    relay.silenceNextConnections(1);
    const session = await ZkSession.open({ ...infra.zookeeper, connect: relay.connect, sessionTimeoutMs: SESSION_TIMEOUT_MS, connectTimeoutMs: 15_000 });
    sessions.push(session);
    assert.equal(relay.connections.length, 2);
    assert.ok(relay.connections[0]!.silent && relay.connections[0]!.closedByClient, 'the client hung up on the silent connection');
    const path = await session.create(`/shop-test-watchdog-${randomUUID()}`, null, CreateMode.EPHEMERAL);
    const { stat } = await session.getData(path);
    assert.equal(stat.ephemeralOwner.toString('hex'), session.sessionId);
  });

  it('notices a connected server that fell silent and resumes the session on a new connection', async () => {
    const session = await ZkSession.open({ ...infra.zookeeper, connect: relay.connect, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    sessions.push(session);
    const path = await session.create(`/shop-test-watchdog-${randomUUID()}`, null, CreateMode.EPHEMERAL);
    const states: ZkSessionState[] = [];
    const reconnected = new Promise<void>((resolve) =>
      session.onState((state) => {
        states.push(state);
        if (state === 'connected') resolve();
      }),
    );
    relay.silenceOpenConnections();
    await reconnected;
    assert.deepEqual(states, ['disconnected', 'connected']);
    assert.equal(relay.connections.length, 2);
    assert.ok(relay.connections[0]!.closedByClient, 'the client hung up on the silent connection');
    // Same session: its ephemeral node is still there, owned by it.
    const { stat } = await session.getData(path);
    assert.equal(stat.ephemeralOwner.toString('hex'), session.sessionId);
  });
});
