import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ZkRegistry } from '../src/rpc';
import { leaseWorkerId } from '../src/service';
import { eventually, infra, testLogger } from './support/infra';

describe('snowflake worker ids leased in ZooKeeper', function () {
  this.timeout(30_000);
  const application = `test-${randomUUID().slice(0, 8)}`;
  const registries: ZkRegistry[] = [];
  const connect = async () => {
    const registry = await ZkRegistry.connect({ ...infra.zookeeper, logger: testLogger });
    registries.push(registry);
    return registry;
  };
  const never = () => assert.fail('lease lost');

  after(() => registries.forEach((registry) => registry.close()));

  it('gives instances that prefer the same id distinct ids, and frees an id when its holder goes', async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    const first = await leaseWorkerId(a, application, 1023, never);
    const second = await leaseWorkerId(b, application, 1023, never);
    assert.equal(first, 1023);
    assert.equal(second, 0, 'wraps around to the next free id');
    a.close();
    // The ephemeral node goes with its session; the id can be leased again.
    assert.equal(
      await eventually('the id to be free', 15_000, async () => {
        const id = await leaseWorkerId(c, application, 1023, never);
        return id === 1023 ? id : undefined;
      }),
      1023,
    );
  });
});
