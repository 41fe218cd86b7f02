/**
 * A front door started bare, as someone deploying it without reading the docs would: no NODE_ENV
 * means production, which refuses to start on the secret published in this repository (anyone
 * could mint an ADMIN token with it) or with fault injection, and says why. Real processes,
 * started from the build; they stop at their configuration, before any port or connection.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from '@shop/common/http';

const MAIN = join(__dirname, '../dist/main.js');

/** The environment of this test run without anything that chooses the profile or the secret. */
function bareEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['NODE_ENV', 'JWT_SECRET', 'FAULT_INJECTION']) delete env[name];
  return { ...env, ORDER_WEB_PORT: '0', ...extra };
}

function start(extra: Record<string, string> = {}): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [MAIN], { env: bareEnvironment(extra), encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('order-web started without NODE_ENV (production by default)', function () {
  this.timeout(60_000);

  it('refuses to start without a JWT secret of its own, and says so', () => {
    const run = start();
    assert.notEqual(run.status, 0, 'it did not start');
    assert.match(run.stderr, /JWT_SECRET is required/);
  });

  it('refuses the development secret published in the repository', () => {
    const run = start({ JWT_SECRET: DEVELOPMENT_JWT_SECRET });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /JWT_SECRET must be set to a secret of your own in production/);
  });

  it('refuses fault injection', () => {
    const run = start({ JWT_SECRET: 'a-secret-of-our-own-that-is-long-enough-0123456789', FAULT_INJECTION: 'true' });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /FAULT_INJECTION must be off when NODE_ENV=production/);
  });
});
