/**
 * The running front doors' security headers (docs/security.md): the storefront page, the admin
 * console page, their scripts, and API answers of both front doors carry the
 * Content-Security-Policy (no inline script or style, no framing, no plugin), nosniff,
 * Referrer-Policy and X-Frame-Options. The pages' own files hold nothing that policy would
 * refuse (the browser specs fail on any violation at run time besides).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BASE_URL } from './support/shop-api';

const PAY_WEB_URL = `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`;
const PAGE_DIRS = [path.join(__dirname, '../storefront'), path.join(__dirname, '../admin')];

/** The directives of a Content-Security-Policy header, by name. */
function directives(policy: string | null): Map<string, string[]> {
  assert.ok(policy, 'a Content-Security-Policy header');
  return new Map(
    policy.split(';').map((directive) => {
      const [name, ...sources] = directive.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

/** The headers every answer must carry; answers the policy's directives. */
function expectSecurityHeaders(response: Response, what: string): Map<string, string[]> {
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(response.headers.get('x-frame-options'), 'DENY', what);
  const policy = directives(response.headers.get('content-security-policy'));
  assert.deepEqual(policy.get('script-src'), ["'self'"], `${what}: scripts from the origin only`);
  assert.deepEqual(policy.get('style-src'), ["'self'"], `${what}: styles from the origin only`);
  assert.deepEqual(policy.get('object-src'), ["'none'"], what);
  assert.deepEqual(policy.get('base-uri'), ["'self'"], what);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], what);
  assert.deepEqual(policy.get('img-src'), ["'self'", 'data:', 'blob:'], `${what}: the QR code's data: URL, the picture preview's blob:`);
  return policy;
}

/** What a `script-src 'self'` / `style-src 'self'` policy refuses, found in a page's markup or its scripts' templates. */
const INLINE = [
  { what: 'an inline <script>', pattern: /<script(?![^>]*\ssrc=)[^>]*>/i },
  { what: 'an inline event handler', pattern: /<[a-z][^>]*\son[a-z]+\s*=/i },
  { what: 'a style attribute', pattern: /<[a-z][^>]*\sstyle\s*=/i },
  { what: 'a <style> block', pattern: /<style[\s>]/i },
  { what: 'a javascript: URL', pattern: /javascript:/i },
];

describe('security headers of the running front doors', () => {
  it('the storefront page: the policy, calls to pay-web allowed, and markup without anything inline', async () => {
    const response = await fetch(`${BASE_URL}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const policy = expectSecurityHeaders(response, 'storefront');
    assert.ok(policy.get('connect-src')?.includes(new URL(PAY_WEB_URL).host), `the storefront calls pay-web: ${policy.get('connect-src')}`);
    const html = await response.text();
    for (const { what, pattern } of INLINE) assert.doesNotMatch(html, pattern, `storefront: ${what}`);
  });

  it('the admin console page: the same', async () => {
    const response = await fetch(`${BASE_URL}/admin/`);
    assert.equal(response.status, 200);
    const policy = expectSecurityHeaders(response, 'console');
    assert.ok(policy.get('connect-src')?.includes(new URL(PAY_WEB_URL).host), 'the console calls pay-web');
    const html = await response.text();
    for (const { what, pattern } of INLINE) assert.doesNotMatch(html, pattern, `console: ${what}`);
  });

  it('static scripts: the headers, and the type nosniff holds them to', async () => {
    for (const file of ['/app.js', '/i18n.js', '/admin/admin.js', '/admin/vendor/chart.umd.js']) {
      const response = await fetch(`${BASE_URL}${file}`);
      assert.equal(response.status, 200, file);
      assert.match(response.headers.get('content-type') ?? '', /^(text|application)\/javascript/, file);
      expectSecurityHeaders(response, file);
    }
  });

  it('API answers of both front doors, successes and refusals alike', async () => {
    const goods = await fetch(`${BASE_URL}/api/v1/goods?size=1`);
    assert.equal(goods.status, 200);
    expectSecurityHeaders(goods, 'order-web GET /api/v1/goods');
    const refused = await fetch(`${PAY_WEB_URL}/api/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: '1', channel: 'ALIPAY_QR' }),
    });
    assert.equal(refused.status, 401);
    expectSecurityHeaders(refused, 'pay-web POST /api/v1/payments without a token');
    const missing = await fetch(`${PAY_WEB_URL}/no-such-route`);
    assert.equal(missing.status, 404);
    expectSecurityHeaders(missing, 'pay-web 404');
  });

  it("the pages' scripts build no markup the policy would refuse", () => {
    for (const dir of PAGE_DIRS) {
      for (const file of readdirSync(dir).filter((name) => /\.(js|html)$/.test(name))) {
        const text = readFileSync(path.join(dir, file), 'utf8');
        for (const { what, pattern } of INLINE) assert.doesNotMatch(text, pattern, `${path.basename(dir)}/${file}: ${what}`);
      }
    }
  });
});
