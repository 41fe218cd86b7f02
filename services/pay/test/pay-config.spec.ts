import assert from 'node:assert/strict';
import { ConfigError } from '@shop/common/config';
import { loadPayConfig } from '../src/config';

describe('pay configuration', () => {
  const base = { ALIPAY_APP_PRIVATE_KEY_FILE: __filename, ALIPAY_PUBLIC_KEY_FILE: __filename };

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
      () => loadPayConfig({ NODE_ENV: 'production', ALIPAY_APP_ID: '2021', ALIPAY_GATEWAY: 'http://127.0.0.1:7009/gateway.do', ...base }),
      (error: unknown) => error instanceof ConfigError && /local emulator in production/.test(error.message),
    );
    assert.throws(
      () => loadPayConfig({ NODE_ENV: 'production' }),
      (error: unknown) => error instanceof ConfigError && /ALIPAY_APP_PRIVATE_KEY_FILE is required/.test(error.message),
    );
  });
});
