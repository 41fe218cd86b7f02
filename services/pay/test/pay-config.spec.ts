import assert from 'node:assert/strict';
import { ConfigError } from '@shop/common/config';
import { loadPayConfig } from '../src/config';

describe('pay configuration', () => {
  const base = { NODE_ENV: 'development', ALIPAY_APP_PRIVATE_KEY_FILE: __filename, ALIPAY_PUBLIC_KEY_FILE: __filename };
  // What production asks of every process besides pay's own settings: the services' certificates and a ZooKeeper digest of its own.
  const production = {
    ...base,
    NODE_ENV: 'production',
    ALIPAY_APP_ID: '2021',
    ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
    RPC_TLS_DIR: '/etc/shop/tls',
    ZK_DIGEST: 'shop:a-production-digest',
  };
  const refusal = (pattern: RegExp) => (error: unknown) => error instanceof ConfigError && pattern.test(error.message);

  it('accepts a pay deadline inside the broker check-back window', () => {
    assert.equal(loadPayConfig({ ...base, PAY_TIMEOUT_SECONDS: '300', RMQ_TX_CHECK_MAX: '300', RMQ_TX_CHECK_INTERVAL_MS: '2000' }).payTimeoutSeconds, 300);
  });

  it('refuses a pay deadline the broker would no longer check back at', () => {
    assert.throws(
      () => loadPayConfig({ ...base, PAY_TIMEOUT_SECONDS: '900', RMQ_TX_CHECK_MAX: '15', RMQ_TX_CHECK_INTERVAL_MS: '60000' }),
      (error: unknown) => error instanceof ConfigError && /PAY_TIMEOUT_SECONDS=900 must stay below the broker's check-back window/.test(error.message),
    );
  });

  it('refuses the local emulator and missing keys in production', () => {
    assert.throws(
      () =>
        loadPayConfig({ ...production, ALIPAY_GATEWAY: 'http://127.0.0.1:7009/gateway.do', PAY_NOTIFY_URL: 'https://shop.example.com/api/v1/notify/alipay' }),
      (error: unknown) => error instanceof ConfigError && /local emulator in production/.test(error.message),
    );
    assert.throws(
      () => loadPayConfig({ NODE_ENV: 'production' }),
      (error: unknown) => error instanceof ConfigError && /ALIPAY_APP_PRIVATE_KEY_FILE is required/.test(error.message),
    );
  });

  it('is production when NODE_ENV is unset: the local emulator, fault injection and a missing notify URL are refused', () => {
    const bare: Record<string, string | undefined> = { ...base, NODE_ENV: undefined };
    assert.throws(() => loadPayConfig({ ...bare }), refusal(/ALIPAY_APP_ID is required/));
    assert.throws(() => loadPayConfig({ ...bare, ALIPAY_APP_ID: '2021' }), refusal(/ALIPAY_GATEWAY is required/));
    assert.throws(() => loadPayConfig({ ...production, NODE_ENV: undefined }), refusal(/PAY_NOTIFY_URL is required/));
    assert.throws(
      () => loadPayConfig({ ...production, PAY_NOTIFY_URL: 'https://shop.example.com/n', FAULT_INJECTION: 'true' }),
      refusal(/FAULT_INJECTION must be off/),
    );
  });

  it('refuses a notify URL Alipay cannot reach in production', () => {
    for (const url of ['http://127.0.0.1:7002/api/v1/notify/alipay', 'http://localhost/n', 'https://[::1]/n', 'http://0.0.0.0:7002/n'])
      assert.throws(() => loadPayConfig({ ...production, PAY_NOTIFY_URL: url }), refusal(/local address in production/), url);
    assert.throws(() => loadPayConfig({ ...production, PAY_NOTIFY_URL: 'ftp://shop.example.com/n' }), refusal(/must be an http\(s\) URL/));
    assert.throws(() => loadPayConfig({ ...production, PAY_NOTIFY_URL: 'shop.example.com' }), refusal(/is not a URL/));
    assert.equal(
      loadPayConfig({ ...production, PAY_NOTIFY_URL: 'https://shop.example.com/api/v1/notify/alipay' }).notifyUrl,
      'https://shop.example.com/api/v1/notify/alipay',
    );
  });
});
