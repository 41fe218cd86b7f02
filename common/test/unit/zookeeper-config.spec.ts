import assert from 'node:assert/strict';
import { ConfigError, defineConfig, DEVELOPMENT_ZK_DIGEST, loadInfraConfig, readZookeeperConfig } from '../../src/config';

const read = (source: NodeJS.ProcessEnv, production = false) => defineConfig((env, fail) => readZookeeperConfig(env, fail, production), source);
const problemsOf = (attempt: () => unknown): string[] => {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail('the configuration was accepted');
};

describe('ZooKeeper settings and the digest', () => {
  it('uses the published development digest outside production', () => {
    assert.deepEqual(read({}), { connect: '127.0.0.1:2181', sessionTimeoutMs: 10_000, digest: DEVELOPMENT_ZK_DIGEST });
    assert.equal(loadInfraConfig({}).zookeeper.digest, DEVELOPMENT_ZK_DIGEST, 'tools and tests are development');
  });

  it('takes the digest, and the previous one during a rotation', () => {
    const config = read({ ZK_DIGEST: 'shop:new-secret', ZK_DIGEST_PREVIOUS: 'shop:old:secret' }, true);
    assert.equal(config.digest, 'shop:new-secret');
    assert.equal(config.previousDigest, 'shop:old:secret', 'a password may hold a colon: only the first one separates the user');
  });

  it('refuses in production a missing digest and the published one, whichever setting carries it', () => {
    assert.deepEqual(
      problemsOf(() => read({}, true)),
      ['ZK_DIGEST ("user:password") is required when NODE_ENV=production: without it anyone reaching ZooKeeper could register a provider'],
    );
    assert.deepEqual(
      problemsOf(() => read({ ZK_DIGEST: DEVELOPMENT_ZK_DIGEST }, true)),
      ['ZK_DIGEST is the development digest published in the repository: refused when NODE_ENV=production'],
    );
    assert.deepEqual(
      problemsOf(() => read({ ZK_DIGEST: 'shop:new-secret', ZK_DIGEST_PREVIOUS: DEVELOPMENT_ZK_DIGEST }, true)),
      ['ZK_DIGEST_PREVIOUS is the development digest published in the repository: refused when NODE_ENV=production'],
    );
  });

  it('refuses a process started bare (production) without ZK_DIGEST, among its other problems', () => {
    const problems = problemsOf(() => loadInfraConfig({ NODE_ENV: 'production' }));
    assert.ok(
      problems.some((problem) => problem.startsWith('ZK_DIGEST ("user:password") is required when NODE_ENV=production')),
      problems.join('\n'),
    );
  });

  it('refuses a digest that is not user:password, and a previous digest equal to the current one', () => {
    for (const digest of ['no-colon', ':password-without-user', 'user-without-password:']) {
      assert.deepEqual(
        problemsOf(() => read({ ZK_DIGEST: digest })),
        ['ZK_DIGEST must be "user:password" (a user without ":", a password not empty)'],
        digest,
      );
    }
    assert.deepEqual(
      problemsOf(() => read({ ZK_DIGEST: 'shop:same', ZK_DIGEST_PREVIOUS: 'shop:same' })),
      ['ZK_DIGEST_PREVIOUS is the same as ZK_DIGEST: unset it once a rotation is over'],
    );
  });
});
