import assert from 'node:assert/strict';
import { ConfigError, defineConfig, loadInfraConfig } from '../src/config';

describe('config from the environment', () => {
  it('parses typed values and applies defaults', () => {
    const config = defineConfig(
      (env) => ({
        port: env.int('PORT', { default: 7001, min: 1, max: 65535 }),
        name: env.string('NAME'),
        debug: env.bool('DEBUG', { default: false }),
        fee: env.money('FEE', { default: '10.00' }),
        hosts: env.list('HOSTS'),
      }),
      { PORT: '8080', NAME: ' shop ', DEBUG: 'yes', HOSTS: 'a, b,,c' },
    );
    assert.deepEqual(config, { port: 8080, name: 'shop', debug: true, fee: '10.00', hosts: ['a', 'b', 'c'] });
    assert.ok(Object.isFrozen(config));
  });

  it('reports every problem at once, naming each variable', () => {
    const attempt = () =>
      defineConfig(
        (env, fail) => {
          const timeout = env.int('TIMEOUT', { min: 1 });
          const window = env.int('WINDOW', { default: 10 });
          if (timeout >= window) fail(`TIMEOUT (${timeout}) must be below WINDOW (${window})`);
          return {
            port: env.int('PORT', { max: 65535 }),
            mode: env.string('MODE', { oneOf: ['a', 'b'] }),
            flag: env.bool('FLAG'),
            fee: env.money('FEE'),
            required: env.string('REQUIRED'),
          };
        },
        { TIMEOUT: '30', PORT: '70000', MODE: 'c', FLAG: 'maybe', FEE: '1.234' },
      );
    assert.throws(attempt, (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'TIMEOUT (30) must be below WINDOW (10)',
        'PORT=70000 must be <= 65535',
        'MODE="c" must be one of a, b',
        'FLAG="maybe" is not a boolean (true/false)',
        'FEE="1.234" is not an amount like 10.00',
        'REQUIRED is required',
      ]);
      return true;
    });
  });

  it('rejects a non-integer where an integer is expected', () => {
    assert.throws(() => defineConfig((env) => env.int('N'), { N: '12abc' }), /N="12abc" is not an integer/);
  });

  it('reads the infrastructure endpoints with local defaults', () => {
    const infra = loadInfraConfig({});
    assert.equal(infra.zookeeper.connect, '127.0.0.1:2181');
    assert.equal(infra.rocketmq.endpoints, '127.0.0.1:8081');
    assert.equal(infra.mysql.port, 3306);
    assert.throws(() => loadInfraConfig({ NODE_ENV: 'prod' }), /NODE_ENV="prod" must be one of/);
  });
});
