import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, defineConfig, readRpcTlsConfig } from '../../src/config';

const read = (source: NodeJS.ProcessEnv, production = false) => defineConfig((env, fail) => readRpcTlsConfig(env, fail, production), source);

describe('RPC mutual TLS settings', () => {
  it('reads the local CA layout (var/pki) outside production', () => {
    const config = read({});
    assert.equal(config.mode, 'mutual');
    if (config.mode !== 'mutual') return;
    assert.equal(config.caFile, path.resolve('var/pki/ca.crt'));
    assert.equal(config.certFile('order'), path.resolve('var/pki/order.crt'));
    assert.equal(config.keyFile('pay-web'), path.resolve('var/pki/pay-web.key'));
  });

  it('takes explicit files, as a platform mounts them, for whatever identity', () => {
    const config = read({ RPC_TLS_CA: '/etc/shop/tls/ca.crt', RPC_TLS_CERT: '/etc/shop/tls/tls.crt', RPC_TLS_KEY: '/etc/shop/tls/tls.key' }, true);
    assert.equal(config.mode, 'mutual');
    if (config.mode !== 'mutual') return;
    assert.equal(config.certFile('order'), '/etc/shop/tls/tls.crt');
    assert.equal(config.keyFile('order'), '/etc/shop/tls/tls.key');
    assert.equal(config.caFile, '/etc/shop/tls/ca.crt');
  });

  it('refuses in production: no certificates named, plain gRPC, a certificate without its key', () => {
    assert.throws(
      () => read({}, true),
      (error: unknown) => error instanceof ConfigError && /RPC_TLS_CERT and RPC_TLS_KEY \(or RPC_TLS_DIR\) are required/.test(error.message),
    );
    assert.throws(() => read({ RPC_TLS: 'off' }, true), /RPC_TLS=off is refused when NODE_ENV=production/);
    assert.throws(() => read({ RPC_TLS_CA: '/ca.crt', RPC_TLS_CERT: '/tls.crt' }, true), /RPC_TLS_CERT and RPC_TLS_KEY go together/);
    assert.equal(read({ RPC_TLS: 'off' }).mode, 'off', 'plain gRPC stays possible in development');
  });
});
