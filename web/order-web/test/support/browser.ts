/**
 * The storefront specs' browser: Debian's Chromium driven by playwright-core (no browser
 * download), a fresh context per test, screenshots in test-artifacts/storefront/, and the checks
 * every page must pass (axe, no sideways scrolling, focus where the customer looks, nothing the
 * Content-Security-Policy refuses).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { eventually } from '../../../../common/test/support/infra';
import { withSystem } from './end-to-end';
import { call, uniqueName } from './shop-api';
import type { SystemState } from './system-state';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../../../../test-artifacts/storefront');
// The flags the machine's notes give for a closed network: no background calls to Google.
const CHROMIUM_ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * What the specs read of the page's window inside `page.evaluate` (the tests are type-checked
 * without the DOM library): `(globalThis as unknown as PageWindow)` there.
 */
export interface PageWindow {
  document: {
    activeElement: unknown;
    documentElement: { scrollWidth: number };
    querySelector(css: string): { getBoundingClientRect(): { top: number; bottom: number }; contains(other: unknown): boolean } | null;
  };
  innerWidth: number;
  innerHeight: number;
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
}

/** The page's localStorage entry `key` (null when missing). */
export function readStorage(page: Page, key: string): Promise<string | null> {
  return page.evaluate((name) => (globalThis as unknown as PageWindow).localStorage.getItem(name), key);
}

/** Sets the page's localStorage entries (as they are; null removes one). */
export async function writeStorage(page: Page, entries: Record<string, string | null>): Promise<void> {
  await page.evaluate((all) => {
    const storage = (globalThis as unknown as PageWindow).localStorage;
    for (const [name, value] of Object.entries(all)) {
      if (value === null) storage.removeItem(name);
      else storage.setItem(name, value);
    }
  }, entries);
}

/** Whether the element `css` has the focus. */
export function hasFocus(page: Page, css: string): Promise<boolean> {
  return page.evaluate((selector) => {
    const { document } = globalThis as unknown as PageWindow;
    return document.activeElement === document.querySelector(selector);
  }, css);
}

export interface Viewport {
  name: string;
  width: number;
  height: number;
}

const SCREENS: Viewport[] = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

/**
 * The screens every browser journey is run on: both unless SHOP_VIEWPORTS names some
 * ("phone"). `npm test` runs the phone only (the narrower screen, where reflow and overflow
 * defects show), to keep CI short; `npm run test:browser` runs every browser spec on both.
 */
export const VIEWPORTS: Viewport[] = (() => {
  const wanted = (process.env.SHOP_VIEWPORTS ?? '').split(',').filter(Boolean);
  const chosen = wanted.length ? SCREENS.filter((screen) => wanted.includes(screen.name)) : SCREENS;
  if (wanted.length && chosen.length !== wanted.length)
    throw new Error(`SHOP_VIEWPORTS=${process.env.SHOP_VIEWPORTS}: the screens are ${SCREENS.map((s) => s.name).join(', ')}`);
  return chosen;
})();

export interface BrowserSession {
  browser: Browser;
  /** This test's context and page (new for each test, closed after it). */
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page's script during this test (none is allowed). */
  pageErrors: string[];
  /** What the Content-Security-Policy refused during this test, in any page of its context (none is allowed). */
  cspViolations: string[];
  /** A full-page screenshot in test-artifacts/storefront/, named with the session's prefix. */
  shot(name: string, target?: Page): Promise<void>;
}

/**
 * Mocha hooks for a browser spec: Chromium started once for the suite, a context with the
 * viewport (and browser language) before each test, a screenshot of a failure, and a failure
 * when the page's own script threw. The answer's fields are set by the hooks.
 */
export function withBrowser(options: { viewport: Pick<Viewport, 'width' | 'height'>; prefix?: string; locale?: string }): BrowserSession {
  const session = { pageErrors: [] as string[], cspViolations: [] as string[] } as BrowserSession;
  const prefix = options.prefix ?? '';
  session.shot = async (name, target = session.page) => {
    await target.screenshot({ path: path.join(ARTIFACTS, `${prefix}${name}.png`), fullPage: true });
  };

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run \`bash deploy/local/infra.sh browser\` (npm test does) or set CHROMIUM_PATH`);
    mkdirSync(ARTIFACTS, { recursive: true });
    session.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  beforeEach(async () => {
    session.pageErrors = [];
    session.cspViolations = [];
    session.context = await session.browser.newContext({
      viewport: { width: options.viewport.width, height: options.viewport.height },
      locale: options.locale ?? 'en-US',
    });
    await watchContentSecurityPolicy(session.context, session.cspViolations);
    session.page = await session.context.newPage();
    session.page.on('pageerror', (error) => session.pageErrors.push(error.message));
  });

  afterEach(async function () {
    const failed = this.currentTest?.state === 'failed';
    if (failed) await session.shot(`failed-${this.currentTest!.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
    await session.context?.close();
    if (!failed) assert.deepEqual(session.pageErrors, [], 'the page threw');
    if (!failed) assert.deepEqual(session.cspViolations, [], 'the Content-Security-Policy refused something (docs/security.md)');
  });

  after(async () => {
    await session.browser?.close();
  });
  return session;
}

/**
 * Collects into `violations` what the front doors' Content-Security-Policy refuses in every page
 * of the context: each violation the document reports (a securitypolicyviolation listener added
 * before any script of the page runs), and Chromium's own console report of it. The policy allows
 * no inline script, handler or style (docs/security.md): a journey that trips it must fail, or
 * the customer would meet a page that silently does less.
 */
export async function watchContentSecurityPolicy(context: BrowserContext, violations: string[]): Promise<void> {
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => console.error(
      'CSP violation: ' + event.effectiveDirective + ' refused ' + (event.blockedURI || 'an inline one') + ' at ' + event.sourceFile + ':' + event.lineNumber + (event.sample ? ' (' + event.sample + ')' : '')));`,
  });
  context.on('console', (message) => {
    if (/Content Security Policy|^CSP violation/.test(message.text())) violations.push(`${message.page()?.url() ?? 'a page'}: ${message.text()}`);
  });
}

export interface StorefrontSession extends BrowserSession {
  /** The admin's token. */
  admin: string;
  /** A reader of the services' tables. */
  state: SystemState;
}

/** {@link withBrowser} and {@link withSystem} together: the storefront specs drive the page and check the tables. */
export function withStorefront(options: Parameters<typeof withBrowser>[0]): StorefrontSession {
  const session = withBrowser(options) as StorefrontSession;
  withSystem((system) => {
    session.admin = system.admin.token;
    session.state = system.state;
  });
  return session;
}

/** The customer is signed in from the first page on (the token a sign-in would have stored). */
export async function signedIn(context: BrowserContext, token: string): Promise<void> {
  await context.addInitScript({ content: `localStorage.setItem('shop.token', ${JSON.stringify(token)})` });
}

/** Searches the goods by name and adds the one found to the cart. */
export async function addToCart(page: Page, goodsId: string, name: string): Promise<void> {
  // The page drawn first (its heading in place): the search is then the page's own, never the
  // form's plain submission of a page still starting (seen once on a loaded machine).
  await page.waitForSelector('main h1');
  await page.fill('#search-input', name);
  await page.press('#search-input', 'Enter');
  await page.waitForURL(/[?&]q=/);
  await page.click(`.card[data-goods="${goodsId}"] button.add`);
  await page.waitForSelector(`#message:has-text("${name} added to the cart")`);
}

/** Answers the confirmation dialog that an action opened: checks it is a modal alert dialog holding the focus. */
export async function answerDialog(page: Page, answer: 'yes' | 'no'): Promise<string> {
  const dialog = await page.waitForSelector('dialog#confirm[open]');
  assert.equal(await dialog.getAttribute('role'), 'alertdialog');
  const focusInside = await page.evaluate(() => {
    const { document } = globalThis as unknown as PageWindow;
    return document.querySelector('dialog#confirm')?.contains(document.activeElement) === true;
  });
  assert.ok(focusInside, 'the focus is in the dialog');
  const text = (await page.textContent('#confirm-text')) ?? '';
  await page.click(`#confirm-${answer}`);
  await page.waitForSelector('dialog#confirm:not([open])', { state: 'attached' });
  return text;
}

export interface AxeSummary {
  /** Violations of every impact, as `rule (impact) ×nodes`. */
  all: string[];
}

/** Runs axe (every rule) on the page as it is: no violation of serious or critical impact. */
export async function expectAccessible(page: Page, label: string): Promise<AxeSummary> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    grave.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`),
    [],
    `${label}: axe violations`,
  );
  return { all: violations.map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}`) };
}

/** Nothing wider than the window: the page never scrolls sideways. */
export async function expectNoSidewaysScroll(page: Page, label: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => {
    const window = globalThis as unknown as PageWindow;
    return { scrollWidth: window.document.documentElement.scrollWidth, innerWidth: window.innerWidth };
  });
  assert.ok(scrollWidth <= innerWidth, `${label}: ${scrollWidth} px wide in a ${innerWidth} px window`);
}

/** The element has the focus and stands inside the window. */
export async function expectFocusedInView(page: Page, selector: string): Promise<void> {
  const where = await page.evaluate((css) => {
    const window = globalThis as unknown as PageWindow;
    const element = window.document.querySelector(css);
    if (!element) return undefined;
    const box = element.getBoundingClientRect();
    return { focused: window.document.activeElement === element, top: box.top, bottom: box.bottom, height: window.innerHeight };
  }, selector);
  assert.ok(where, `${selector} is on the page`);
  assert.ok(where.focused, `${selector} has the focus`);
  assert.ok(where.top >= 0 && where.bottom <= where.height, `${selector} is in view (${where.top}..${where.bottom} of ${where.height})`);
}

// ---------- what the storefront specs share: goods and carts by API, and the checks of messages ----------

/** Goods with a recognisable name: the page names goods by their name. */
export async function namedGoods(admin: string, label: string, price: string, stock: number): Promise<{ goodsId: string; name: string }> {
  const name = uniqueName(`${label} `);
  const created = await call('POST', '/api/v1/admin/goods', { token: admin, json: { name, price, stock } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { goodsId: created.body.goodsId, name };
}

export async function putInCart(token: string, goodsId: string, quantity: number): Promise<void> {
  assert.equal((await call('PUT', `/api/v1/cart/items/${goodsId}`, { token, json: { quantity, checked: true } })).status, 200);
}

export interface Address {
  addressId: string;
  recipient: string;
  phone: string;
  region: string;
  line: string;
  isDefault: boolean;
}

/** An entry of the customer's address book (the first one is the default). */
export async function newAddress(token: string, fields: Partial<Omit<Address, 'addressId'>> = {}): Promise<Address> {
  const json = { recipient: 'Ada Shopper', phone: '138 0013 8000', region: 'Zhejiang Hangzhou Xihu', line: '1 Browser Lane', ...fields };
  const created = await call('POST', '/api/v1/addresses', { token, json, headers: { 'idempotency-key': uniqueName('address-') } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

/** The customer's address book, as the API answers it. */
export async function addressBook(token: string): Promise<Address[]> {
  const listed = await call('GET', '/api/v1/addresses', { token });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  return listed.body.items;
}

/** The bodies (and Idempotency-Keys) of the page's requests `method` to URLs whose path matches. */
export function requestsTo(page: Page, method: string, pathname: RegExp): { key?: string; body: Record<string, unknown> }[] {
  const seen: { key?: string; body: Record<string, unknown> }[] = [];
  page.on('request', (request) => {
    if (request.method() === method && pathname.test(new URL(request.url()).pathname))
      seen.push({ key: request.headers()['idempotency-key'], body: request.postDataJSON() ?? {} });
  });
  return seen;
}

/** Words for people: no error code, HTTP status, exception, schema path or long id. */
export function expectPlainWords(text: string | null): void {
  assert.ok(text, 'a message is shown');
  assert.doesNotMatch(text, /\b[A-Z]{2,}_[A-Z_]+\b|HTTP \d|TypeError|Failed to fetch|body\/|\d{12,}|\(ERROR\)/, text);
}

/**
 * A field's error: its text under the field, the field marked invalid and described by it;
 * focused and in view unless `focused` is false (a message the page gives while the customer types elsewhere).
 */
export async function expectFieldError(page: Page, fieldId: string, words: RegExp, focused = true): Promise<void> {
  const text = await (await page.waitForSelector(`#${fieldId}-error`)).textContent();
  assert.match(text ?? '', words);
  expectPlainWords(text);
  assert.equal(await page.getAttribute(`#${fieldId}`, 'aria-invalid'), 'true');
  assert.match((await page.getAttribute(`#${fieldId}`, 'aria-describedby')) ?? '', new RegExp(`\\b${fieldId}-error\\b`));
  if (focused) await expectFocusedInView(page, `#${fieldId}`);
}

/** An alert box (role=alert) in `where`, focused and in view unless `focused` is false; answers its text. */
export async function expectAlert(page: Page, where: string, words: RegExp, focused = true): Promise<string> {
  const box = await page.waitForSelector(`${where} .error-box[role="alert"]`);
  const text = (await box.textContent()) ?? '';
  assert.match(text, words);
  expectPlainWords(text);
  if (focused) await expectFocusedInView(page, `${where} .error-box`);
  return text;
}

// Stock and balance come back through messages and refund steps: waited for, within seconds.
export const stockIs = (state: SystemState, goodsId: string, units: number) =>
  eventually(`stock ${units}`, 30_000, async () => ((await state.stock(goodsId)) === units ? true : undefined));
export const balanceIs = (state: SystemState, userId: string, amount: string) =>
  eventually(`balance ${amount}`, 30_000, async () => ((await state.balance(userId)) === amount ? true : undefined));

/** axe, no sideways scrolling and a screenshot: what every new page state is checked with. */
export async function checkPage(session: BrowserSession, label: string, shot?: string): Promise<void> {
  await expectAccessible(session.page, label);
  await expectNoSidewaysScroll(session.page, label);
  if (shot) await session.shot(shot);
}
