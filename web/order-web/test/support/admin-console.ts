/**
 * What the admin console's browser specs share: signing in, the page checks (axe, no sideways
 * scrolling, a screenshot in test-artifacts/admin/), the confirmation dialog, and a small PNG
 * made here (no file in the repository).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { expectAccessible, expectNoSidewaysScroll, type PageWindow, type Viewport } from './browser';
import { BASE_URL } from './shop-api';

export const ADMIN_ARTIFACTS = path.resolve(__dirname, '../../../../test-artifacts/admin');
export const ADMIN_USERNAME = process.env.ADMIN_USERNAME ?? 'admin';
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin123';
export const CONSOLE = `${BASE_URL}/admin/`;

/** A full-page screenshot in test-artifacts/admin/<viewport>-<name>.png. */
export async function adminShot(page: Page, viewport: Viewport, name: string): Promise<void> {
  mkdirSync(ADMIN_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ADMIN_ARTIFACTS, `${viewport.name}-${name}.png`), fullPage: true });
}

/** The page is usable as it is: no serious or critical axe violation, nothing wider than the window; and its screenshot. */
export async function checkPage(page: Page, viewport: Viewport, name: string): Promise<void> {
  await expectAccessible(page, `${viewport.name} ${name}`);
  await expectNoSidewaysScroll(page, `${viewport.name} ${name}`);
  await adminShot(page, viewport, name);
}

/** Signs in through the console's form and waits for the dashboard (or the page `hash` asked for). */
export async function signIn(page: Page, hash = '#/'): Promise<void> {
  await page.goto(`${CONSOLE}${hash}`);
  await page.fill('#username', ADMIN_USERNAME);
  await page.fill('#password', ADMIN_PASSWORD);
  await page.click('#signin-submit');
  await page.waitForSelector('#nav:not([hidden])');
}

/** The console's token already stored: the first page opens signed in. */
export async function signedInAdmin(page: Page, token: string): Promise<void> {
  await page.context().addInitScript({ content: `localStorage.setItem('shop.admin.token', ${JSON.stringify(token)})` });
}

/** Opens a console page by its hash and waits for its heading. */
export async function open(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${CONSOLE}${hash}`);
  await waitForHeading(page, heading);
}

export async function waitForHeading(page: Page, heading: string | RegExp): Promise<void> {
  const h1 = page.locator('#view > h1');
  if (typeof heading === 'string') await h1.filter({ hasText: heading }).first().waitFor();
  else await h1.filter({ hasText: heading }).first().waitFor();
}

/** The polite message region says `text` (what an action did). */
export async function saysInfo(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('#message').filter({ hasText: text }).waitFor();
}

/** An error box (role=alert) with `text`, focused and in view; answers its text. */
export async function saysError(page: Page, text: string | RegExp): Promise<string> {
  const box = page.locator('.error-box[role="alert"]').filter({ hasText: text }).first();
  await box.waitFor();
  const focused = await box.evaluate((element) => (globalThis as unknown as PageWindow).document.activeElement === element);
  assert.ok(focused, 'the error box has the focus');
  return (await box.textContent()) ?? '';
}

/** The error under a field: the field is invalid, described by it and focused; answers the text. */
export async function fieldSays(page: Page, fieldCss: string, text: string | RegExp): Promise<string> {
  const field = page.locator(fieldCss);
  await page.locator(`${fieldCss}[aria-invalid="true"]`).waitFor();
  const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
  const message = (await page.locator(`[id="${describedBy.split(/\s+/)[0]}"]`).textContent()) ?? '';
  assert.match(message, typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text);
  const focused = await field.evaluate((element) => (globalThis as unknown as PageWindow).document.activeElement === element);
  assert.ok(focused, `${fieldCss} has the focus`);
  return message;
}

/** Answers the confirmation dialog an action opened (a modal alert dialog holding the focus); answers its title and text. */
export async function answerConfirm(page: Page, answer: 'yes' | 'no'): Promise<string> {
  const dialog = await page.waitForSelector('dialog#confirm[open]');
  assert.equal(await dialog.getAttribute('role'), 'alertdialog');
  const focus = await page.evaluate(() => {
    const { document } = globalThis as unknown as PageWindow;
    return document.querySelector('dialog#confirm')?.contains(document.activeElement) === true;
  });
  assert.ok(focus, 'the focus is in the dialog');
  const text = `${await page.textContent('#confirm-title')} ${await page.textContent('#confirm-text')}`;
  await page.click(`#confirm-${answer}`);
  await page.waitForSelector('dialog#confirm:not([open])', { state: 'attached' });
  return text;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG of `size`×`size` pixels: a teapot-blue square with a lighter diagonal, made with zlib. */
export function makePng(size = 48): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push(...(Math.abs(x - y) < size / 8 ? [180, 210, 250] : [11, 92, 213]));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Today in China (UTC+8), as Alipay's bill and the reconciliation count days. */
export const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The image `css` has loaded and has pixels (the server served a picture the browser decodes). */
export async function imageShown(page: Page, css: string): Promise<boolean> {
  const image = page.locator(css).first();
  await image.waitFor();
  return image.evaluate(async (element) => {
    const img = element as unknown as { complete: boolean; naturalWidth: number; decode(): Promise<void> };
    await img.decode().catch(() => undefined);
    return img.complete && img.naturalWidth > 0;
  });
}

/** Waits until `css` matches exactly `count` elements (a list drawn again with a filter). */
export async function waitForCount(page: Page, css: string, count: number): Promise<void> {
  await page.waitForFunction(
    ([selector, expected]) =>
      (globalThis as unknown as { document: { querySelectorAll(css: string): { length: number } } }).document.querySelectorAll(selector).length === expected,
    [css, count] as const,
  );
}

/** Waits until the page's hash matches `pattern` (the console routes by it). */
export async function waitForHash(page: Page, pattern: RegExp): Promise<void> {
  await page.waitForFunction((source) => new RegExp(source).test((globalThis as unknown as { location: { hash: string } }).location.hash), pattern.source);
}
