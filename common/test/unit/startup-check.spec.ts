import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { checkRequested, defineConfig, runStartupCheck } from '../../src/config';

const ROOT = path.resolve(__dirname, '../../..');

/** Starts a process entry from its source with `--check` and the given environment only. */
function checkProcess(entry: string, env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', entry, '--check'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('--check (config/startup-check.ts)', () => {
  it('is asked for by the flag after the script, not by the node options before it', () => {
    assert.equal(checkRequested(['node', 'main.js', '--check']), true);
    assert.equal(checkRequested(['node', 'main.js']), false);
    assert.equal(checkRequested(['node', 'main.js', '--checked']), false);
  });

  it('passes with one line when the check throws nothing', () => {
    const result = runStartupCheck('order', () => defineConfig((env) => env.int('X_PORT', { default: 7 }), {}));
    assert.equal(result.ok, true);
    assert.match(result.message, /^order: check passed: every module loaded, configuration valid/);
  });

  it('fails with every configuration problem listed', () => {
    const result = runStartupCheck('order', () =>
      defineConfig((env) => ({ port: env.int('X_PORT'), mode: env.string('X_MODE', { default: 'a', oneOf: ['b'] }) }), {}),
    );
    assert.equal(result.ok, false);
    assert.match(result.message, /^order: check failed: invalid configuration/);
    assert.match(result.message, /X_PORT is required/);
    assert.match(result.message, /X_MODE="a" must be one of b/);
  });

  it('fails on anything else thrown, with its message', () => {
    const result = runStartupCheck('pay', () => {
      throw new Error('cannot read the key');
    });
    assert.equal(result.ok, false);
    assert.match(result.message, /^pay: check failed: Error: cannot read the key/);
  });

  describe('a real process entry', function () {
    // tsx compiles the entry and everything it imports: a few seconds on the 2-core machine.
    this.timeout(60_000);
    // Nothing listens on port 1: a process that connected instead of checking would hang or fail.
    const nowhere = { ZK_CONNECT: '127.0.0.1:1', MYSQL_PORT: '1', RMQ_ENDPOINTS: '127.0.0.1:1' };

    it('exits 0 after loading its modules and configuration, connecting to nothing', () => {
      const run = checkProcess('services/coupon/src/main.ts', { NODE_ENV: 'development', RPC_TLS: 'off', ...nowhere });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^coupon: check passed: every module loaded, configuration valid \(NODE_ENV=development\)\n$/);
    });

    it('exits 1 with the problems of a production configuration left empty', () => {
      const run = checkProcess('web/pay-web/src/main.ts', { ...nowhere });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /^pay-web: check failed: invalid configuration/);
      assert.match(run.stderr, /JWT_SECRET is required/);
      assert.match(run.stderr, /ZK_DIGEST \("user:password"\) is required when NODE_ENV=production/);
      assert.equal(run.stdout, '');
    });
  });
});
