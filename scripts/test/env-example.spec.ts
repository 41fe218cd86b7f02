import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defineConfig, recordSettings } from '@shop/common/config';
import { collectSettings, ENV_EXAMPLE_FILE, renderEnvExample } from '../env-example';

describe('.env.example (scripts/env-example.ts)', () => {
  it('is what the config definitions generate today (else: npm run env:example, and commit it)', () => {
    const committed = readFileSync(ENV_EXAMPLE_FILE, 'utf8');
    assert.equal(committed, renderEnvExample(), '.env.example is out of date: run `npm run env:example` and commit the file');
  });

  it('lists the settings only a choice reads, and what production requires', () => {
    const settings = collectSettings();
    // Read only when GOODS_IMAGE_STORE=s3: found by trying every value of a "one of" setting.
    assert.deepEqual([...(settings.get('GOODS_IMAGE_S3_BUCKET')?.readers ?? [])], ['goods']);
    assert.equal(settings.get('GOODS_IMAGE_S3_BUCKET')?.defaults.development, null);
    // A default outside production, refused when missing in production.
    assert.equal(settings.get('JWT_SECRET')?.requiredInProduction, true);
    assert.equal(settings.get('ZK_DIGEST')?.requiredInProduction, true);
    assert.equal(settings.get('ORDER_WEB_PORT')?.requiredInProduction, false);
    assert.deepEqual([...(settings.get('MYSQL_HOST')?.readers ?? [])], ['goods', 'coupon', 'user', 'order', 'pay', 'order-web', 'pay-web', 'seed']);
  });

  it('records what a definition reads, and only while a recorder listens', () => {
    const describe = (env: Parameters<Parameters<typeof defineConfig>[0]>[0]) => ({
      port: env.int('X_PORT', { default: 7, min: 1, max: 9 }),
      mode: env.string('X_MODE', { oneOf: ['a', 'b'] }),
    });
    const { settings, problems } = recordSettings(() => defineConfig(describe, {}));
    assert.deepEqual(settings, [
      { name: 'X_PORT', kind: 'int', default: '7', min: 1, max: 9 },
      { name: 'X_MODE', kind: 'string', oneOf: ['a', 'b'] },
    ]);
    assert.deepEqual(problems, ['X_MODE is required']);
    // Outside recordSettings a loader runs as always, recording nothing.
    assert.deepEqual(defineConfig(describe, { X_MODE: 'a' }), { port: 7, mode: 'a' });
    assert.deepEqual(recordSettings(() => undefined).settings, []);
  });
});
