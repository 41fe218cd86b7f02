/**
 * npm run bench:storefront: how fast the storefront shows the goods in headless Chromium
 * (Debian's, driven by playwright-core), from navigation to the goods cards drawn: the page,
 * its module and stylesheet, /storefront.json, /api/v1/goods (order-web -> goods service over
 * gRPC -> MySQL) and the render. Baseline in the same run: the same browser loading order-web's
 * smallest answer (/healthz), which is what any page costs here before doing anything.
 *
 * Cold: a new browser context per load (nothing cached). Warm: the same tab reloaded (files
 * cached, API called again). Also prints the bytes a cold load transfers.
 * Settings: BENCH_SECONDS per row (default 10), CHROMIUM_PATH.
 */
import { cpus } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { measure, table, writeReport, type Result } from './lib/measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BASE = `http://127.0.0.1:${process.env.ORDER_WEB_PORT ?? 7001}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function coldLoad(browser: Browser, url: string, ready: string | undefined): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    if (ready) await page.waitForSelector(ready);
  } finally {
    await context.close();
  }
}

/** Bytes on the wire of one cold load of the storefront's goods page (bodies, as received). */
async function transferred(browser: Browser): Promise<{ requests: number; bytes: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  let requests = 0;
  let bytes = 0;
  page.on('response', (response) => {
    requests++;
    void response.body().then(
      (body) => (bytes += body.length),
      () => undefined,
    );
  });
  await page.goto(`${BASE}/`);
  await page.waitForSelector('.card');
  await page.waitForLoadState('networkidle');
  await context.close();
  return { requests, bytes };
}

async function main(): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const ms = SECONDS * 1_000;
  await measure('warmup', 1, 2_000, () => coldLoad(browser, `${BASE}/`, '.card'));
  const results: Result[] = [];
  results.push(await measure('baseline: /healthz, new context', 1, ms, () => coldLoad(browser, `${BASE}/healthz`, undefined)));
  results.push(await measure('storefront goods drawn, new context (cold)', 1, ms, () => coldLoad(browser, `${BASE}/`, '.card')));
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/healthz`);
  results.push(await measure('baseline: /healthz, same tab reloaded', 1, ms, () => page.reload()));
  await page.goto(`${BASE}/`);
  results.push(
    await measure('storefront goods drawn, same tab reloaded (warm)', 1, ms, async () => {
      await page.reload();
      await page.waitForSelector('.card');
    }),
  );
  await context.close();
  results.push(await measure('GET /api/v1/goods alone (Node fetch)', 1, ms / 2, async () => (await fetch(`${BASE}/api/v1/goods?size=60`)).arrayBuffer()));
  const weight = await transferred(browser);
  await browser.close();

  const markdown = [
    `# bench:storefront (${new Date().toISOString()})`,
    '',
    `Headless Chromium (${CHROMIUM}) loading ${BASE}/ until the goods are drawn, one load at a time, ${SECONDS} s per row; baseline: the same browser loading /healthz, in the same run.`,
    `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; the whole system and the browser run on this machine.`,
    '',
    table(results),
    '',
    `A cold load of the goods page: ${weight.requests} requests, ${(weight.bytes / 1024).toFixed(1)} KiB of bodies (uncompressed).`,
    '',
  ].join('\n');
  console.log(markdown);
  console.log(`report: ${writeReport('bench-storefront', markdown, { results, weight })}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
