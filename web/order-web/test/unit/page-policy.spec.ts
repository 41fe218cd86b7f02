/**
 * order-web's pages call pay-web: their Content-Security-Policy names pay-web's origin, the
 * configured one or the pages' default (their own host, port 7002), and nothing a forged Host
 * header could slip in. And the storefront is told whether its footer's API reference links lead
 * anywhere. The app built alone (no service behind it), asked through inject.
 */
import assert from 'node:assert/strict';
import { DEVELOPMENT_JWT_SECRET, TokenService } from '@shop/common/http';
import { createLogger } from '@shop/common/log';
import { buildOrderWeb, type OrderWebDeps } from '../../src/app';
import type { Services } from '../../src/clients';

function orderWeb(deps: Partial<OrderWebDeps> = {}) {
  return buildOrderWeb({
    services: {} as Services,
    tokens: new TokenService(DEVELOPMENT_JWT_SECRET, 900),
    logger: createLogger('page-policy-test', 'silent'),
    faultInjection: false,
    corsOrigins: [],
    payWebUrl: '',
    ...deps,
  });
}

/** The connect-src directive of the storefront page's policy, asked with `host`. */
async function connectSrc(app: ReturnType<typeof orderWeb>, host: string): Promise<string> {
  const answer = await app.inject({ method: 'GET', url: '/', headers: { host } });
  assert.equal(answer.statusCode, 200);
  const policy = String(answer.headers['content-security-policy']);
  return policy.split('; ').find((directive) => directive.startsWith('connect-src ')) ?? '';
}

describe("order-web's page policy (unit)", () => {
  it("without PAY_WEB_URL: the page's own host on port 7002, as the pages call it", async () => {
    const app = orderWeb();
    try {
      assert.equal(await connectSrc(app, '127.0.0.1:7001'), "connect-src 'self' 127.0.0.1:7002");
      assert.equal(await connectSrc(app, 'shop.example.com'), "connect-src 'self' shop.example.com:7002");
      // What no CSP source can hold, or would break the policy open, names nothing: the page's own origin only.
      assert.equal(await connectSrc(app, '[::1]:7001'), "connect-src 'self'");
      assert.equal(await connectSrc(app, "evil;script-src 'unsafe-inline'"), "connect-src 'self'");
      assert.equal(await connectSrc(app, 'a b'), "connect-src 'self'");
    } finally {
      await app.close();
    }
  });

  it("with PAY_WEB_URL: its origin, whatever the request's host; a relative one is the page's own origin", async () => {
    const absolute = orderWeb({ payWebUrl: 'https://pay.shop.example.com/base/' });
    const relative = orderWeb({ payWebUrl: '/pay' });
    try {
      assert.equal(await connectSrc(absolute, 'evil.example'), "connect-src 'self' https://pay.shop.example.com");
      assert.equal(await connectSrc(relative, 'shop.example.com'), "connect-src 'self'");
    } finally {
      await absolute.close();
      await relative.close();
    }
  });

  it('tells the storefront whether the API reference is on the public port', async () => {
    const production = orderWeb();
    const development = orderWeb({ publicAdminRoutes: true });
    try {
      assert.equal((await production.inject({ method: 'GET', url: '/storefront.json' })).json().apiDocs, false);
      assert.equal((await production.inject({ method: 'GET', url: '/docs' })).statusCode, 404);
      assert.equal((await development.inject({ method: 'GET', url: '/storefront.json' })).json().apiDocs, true);
      assert.equal((await development.inject({ method: 'GET', url: '/docs' })).statusCode, 200);
    } finally {
      await production.close();
      await development.close();
    }
  });
});
