/**
 * The API reference (swagger-ui at /docs) of both front doors, drawn by Chromium under the front
 * doors' Content-Security-Policy: on the admin listener, where production serves it, and on the
 * public port, where development does. Every operation is listed and one can be opened; the
 * browser helper fails the test on any CSP violation (swagger-ui's top bar carried an inline
 * <style>: the reference runs without it).
 */
import assert from 'node:assert/strict';
import { VIEWPORTS, withBrowser } from './support/browser';
import { BASE_URL } from './support/shop-api';

const REFERENCES = [
  { door: 'order-web, admin port', url: `http://127.0.0.1:${process.env.ORDER_WEB_ADMIN_PORT ?? 7101}/docs` },
  { door: 'pay-web, admin port', url: `http://127.0.0.1:${process.env.PAY_WEB_ADMIN_PORT ?? 7102}/docs` },
  { door: 'order-web, public port (development)', url: `${BASE_URL}/docs` },
];

describe('the API reference in Chromium, under the Content-Security-Policy', function () {
  this.timeout(120_000);
  const session = withBrowser({ viewport: VIEWPORTS[0]!, prefix: 'api-reference-' });

  for (const { door, url } of REFERENCES) {
    it(`${door}: every operation listed, one opens`, async () => {
      const document = (await (await fetch(`${url}/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const operations = Object.values(document.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
      await session.page.goto(url);
      await session.page.waitForSelector('.opblock');
      assert.equal(await session.page.locator('.opblock').count(), operations, 'one block per operation of the document');
      await session.page.locator('.opblock-summary-control').first().click();
      await session.page.waitForSelector('.opblock.is-open .responses-wrapper');
    });
  }
});
