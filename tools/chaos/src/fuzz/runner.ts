/**
 * A fuzz run: the fixture, then FUZZ_REQUESTS generated requests at each front door and
 * FUZZ_NOTIFY_FORMS forms at Alipay's notify endpoint, one at a time, each judged by the oracle:
 * a well-formed answer, never a 5xx, and for every request the API refuses (and every GET) the
 * same state digest after as before. An accepted request may change the state: the run waits for
 * the system to settle (RocketMQ consumers), cancels an order it placed, and takes the settled
 * state as the new baseline.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SCHEMA_PREFIX } from '@shop/common/config';
import { ErrorCode } from '@shop/common/errors';
import type { FuzzConfig } from './config';
import { describeChange, diff, rowObject, StateReader, waitStable, type RowChange, type Snapshot } from './digest';
import { buildFixture, replenish, type Fixture } from './fixture';
import { callJson, send, traffic, type Answer } from './http';
import { encodeForm, expectedReply, formArbitrary, loadNotifyKeys, type Trade } from './notify-forms';
import { judge, judgeNotify, judgeWechatNotify, type Verdict } from './oracle';
import { loadRoutes, routeName, type Door, type Route } from './openapi';
import { probeChanges, probesFor, readProbes } from './probes';
import { describeAnswer, describeRequest, FuzzReport, type FindingKind } from './report';
import { drawn, hintsFor, planArbitrary, prepare, type Prepared, type RequestPlan } from './request-plan';
import { World } from './world';

type Log = (line: string) => void;

/** A 32-bit seed per request, derived from the run's seed: any request can be drawn again alone. */
export function seedFor(seed: number, phase: string, index: number): number {
  return createHash('sha256').update(`${seed}/${phase}/${index}`).digest().readInt32LE(0);
}

/** Accepted, yet must change nothing: signing in issues a stateless token. */
const READ_ONLY_POSTS = new Set(['POST /api/v1/auth/login']);

/**
 * Refusals documented to leave rows behind (docs/api.md, placement rules): a placement refused
 * by a reservation leaves a CANCELLED order and gives back what was taken. What must not change
 * then: balances, points, stock, coupons' use, carts.
 */
const PLACEMENT_REFUSALS = new Set<string>([
  ErrorCode.INSUFFICIENT_STOCK,
  ErrorCode.COUPON_UNAVAILABLE,
  ErrorCode.INSUFFICIENT_BALANCE,
  ErrorCode.PRICE_CHANGED,
]);
const MONEY_PARTS = new Set(['user.user', 'goods.goods', 'order.cart_item']);

export class FuzzSession {
  private baseline: Snapshot = new Map();
  private lastAccepted = 'the fixture';
  private readonly failuresLogged = new Map<string, number>();
  /** What was still in flight when the last wait for the state to settle gave up. */
  private inFlight: string[] = [];

  private constructor(
    private readonly config: FuzzConfig,
    private readonly reader: StateReader,
    private readonly world: World,
    private readonly fixture: Fixture,
    readonly report: FuzzReport,
    private readonly log: Log,
  ) {}

  static async start(config: FuzzConfig, log: Log): Promise<FuzzSession> {
    const reader = await StateReader.open();
    try {
      const world = new World();
      const report = new FuzzReport(config.seed);
      // The running build's routes decide what the fixture can make (after-sales requests, refunds).
      const [orderRoutes, payRoutes] = await Promise.all([loadRoutes('order-web', config.orderWeb), loadRoutes('pay-web', config.payWeb)]);
      const features = {
        afterSales: orderRoutes.some((route) => route.path.includes('/after-sales')),
        refunds: payRoutes.some((route) => route.path.endsWith('/refund')),
      };
      const fixture = await buildFixture(config, features, world, log);
      const session = new FuzzSession(config, reader, world, fixture, report, log);
      report.notes.push(
        `the state digest reads ${reader.parts().join(', ')} (rows of the run's users, orders and goods), plus per-request probes of the ids a request names`,
      );
      await session.settle('fixture');
      session.expectFixtureInDigest();
      return session;
    } catch (error) {
      await reader.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.reader.close();
  }

  /**
   * The digest reads the test profile's schemas (TEST_SCHEMAS). Against a system in another
   * profile it would read nothing, and every refused request would "change nothing": a run that
   * cannot fail. The fixture's own users must be in it, or the run stops here.
   */
  private expectFixtureInDigest(): void {
    const seen = this.baseline.get('user.user') ?? new Map();
    const missing = [...this.world.users].filter((userId) => !seen.has(userId));
    if (missing.length)
      throw new Error(
        `the state digest reads the test profile's schemas (${SCHEMA_PREFIX.test}*) and does not hold the fixture's users ${missing.join(', ')}: is the system running in another profile? (SHOP_PROFILE=test npm run up)`,
      );
  }

  private base(door: Door): string {
    return door === 'order-web' ? this.config.orderWeb : this.config.payWeb;
  }

  /** Waits for the state to settle and takes it as the baseline. */
  /** Logs a failure: in full the first times for a route, in one line after that. */
  private logFailure(key: string, line: string, request: string): void {
    const seen = (this.failuresLogged.get(key) ?? 0) + 1;
    this.failuresLogged.set(key, seen);
    this.log(
      seen <= 2
        ? `${line}
${request}`
        : line,
    );
  }

  /**
   * A front door that refuses connections: someone restarted the system, or a request crashed it.
   * Either way the refusal is reported; the run waits for it to come back rather than pile up
   * findings, and stops if it does not.
   */
  private async waitForDoor(base: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const health = await send(base, { method: 'GET', path: '/healthz', headers: {}, body: { kind: 'none' } }, 5000);
      if (health.status === 200) {
        this.report.notes.push(`${base} refused connections for a while, then answered again (restarted?)`);
        return;
      }
    }
    throw new Error(`${base} has refused connections for two minutes: the run stops`);
  }

  private async settle(after: string): Promise<RowChange[]> {
    const settled = await waitStable(this.reader, () => this.world.scope(), { timeoutMs: this.config.settleTimeoutMs });
    if (!settled.stable)
      this.report.find({
        kind: 'unsettled',
        where: after,
        index: -1,
        request: after,
        answer: '',
        detail: [`still in flight after ${settled.ms} ms: ${settled.pending.slice(0, 10).join(', ')}`],
      });
    const changes = diff(this.baseline, settled.snapshot);
    this.inFlight = settled.stable ? [] : settled.pending;
    this.baseline = settled.snapshot;
    this.world.refresh(settled.snapshot);
    this.lastAccepted = after;
    return changes;
  }

  private async topUp(): Promise<void> {
    if (await replenish(this.fixture, this.world, this.log)) await this.settle('fixture top-up');
  }

  /** The generated requests of one front door. */
  async fuzzDoor(door: Door, count: number): Promise<void> {
    const routes = await loadRoutes(door, this.base(door));
    const context = {
      runTag: this.fixture.runTag,
      usernames: this.fixture.credentials.customers.map((customer) => customer.identity.username),
      password: this.fixture.credentials.customers[0]!.password,
    };
    const arbitrary = fc.oneof(...routes.map((route) => planArbitrary(route, hintsFor(route, context))));
    this.log(`${door}: ${routes.length} routes from ${this.base(door)}/docs/json; ${count} requests`);
    const counts = this.report.door(door);
    const started = Date.now();
    await this.topUp();
    for (let index = 0; index < count; index++) {
      if (index > 0 && index % this.config.replenishEvery === 0) {
        await this.topUp();
        this.log(`${door}: ${index}/${count} requests, ${counts.fiveXX} 5xx, ${counts.stateChanges} state changes`);
      }
      await this.fuzzRequest(door, index, drawn(arbitrary, seedFor(this.config.seed, door, index)));
    }
    counts.ms += Date.now() - started;
  }

  private async fuzzRequest(door: Door, index: number, plan: RequestPlan): Promise<void> {
    const { route } = plan;
    const name = routeName(route);
    const counts = this.report.door(door);
    const prepared = prepare(plan, this.world.pools, this.fixture.credentials);
    const probes = probesFor(route, prepared, this.world);
    const probesBefore = await readProbes(this.reader, probes);
    const answer = await send(this.base(door), prepared.wire, this.config.timeoutMs);
    if (answer.failure?.startsWith('client refused')) {
      // node:http would not write this request: nothing was sent.
      counts.unsendable++;
      return;
    }
    const verdict = route.path.endsWith('/notify/wechatpay')
      ? judgeWechatNotify(answer)
      : route.textAnswer
        ? judgeNotify(answer)
        : judge(answer, route.secured);
    const reached = !verdict.failure && verdict.gate === undefined;
    counts.requests++;
    if (prepared.validToken) counts.validToken++;
    if (reached) counts.reached++;
    if (reached && prepared.validToken) counts.validTokenReached++;
    if (verdict.accepted) counts.accepted++;
    this.report.answered(name, answer.failure ? 'no answer' : answer.status, kindOf(prepared.label), reached);
    if (verdict.gate) this.report.gate(verdict.gate);
    else if (verdict.code && !verdict.failure) this.report.handlerError(answer.status, verdict.code, messageOf(answer));
    const finding = (kind: FindingKind, detail: string[]) =>
      this.report.find({
        kind,
        where: `${door} ${name}`,
        index,
        request: `${prepared.label}\n${describeRequest(this.base(door), prepared.wire)}`,
        answer: describeAnswer(answer),
        detail: [`FUZZ_SEED=${this.config.seed}, ${door} request #${index}`, ...detail],
      });
    if (verdict.failure) {
      if (answer.status >= 500) counts.fiveXX++;
      const unavailable = answer.status === 503 && verdict.code === ErrorCode.UNAVAILABLE;
      finding(answer.status >= 500 ? '5xx' : answer.failure ? 'no-answer' : 'malformed-answer', [
        verdict.failure,
        ...(unavailable
          ? [
              "UNAVAILABLE: a service behind the front door did not answer; if the system was being restarted or its processes killed then, it is not this request's doing",
            ]
          : []),
      ]);
      // A service down answers every request alike: give it time rather than pile up findings.
      if (unavailable) await new Promise((resolve) => setTimeout(resolve, 2000));
      this.logFailure(
        `${door} ${name} ${verdict.failure.slice(0, 40)}`,
        `FAILURE ${verdict.failure}: FUZZ_SEED=${this.config.seed} ${door} #${index} ${prepared.label} ${prepared.wire.method} ${prepared.wire.path.slice(0, 120)} -> ${describeAnswer(answer).slice(0, 200)}`,
        describeRequest(this.base(door), prepared.wire),
      );
      if (answer.failure?.includes('ECONNREFUSED')) await this.waitForDoor(this.base(door));
    }

    if (verdict.accepted && route.method !== 'GET' && !READ_ONLY_POSTS.has(name)) {
      await this.afterAccepted(route, prepared, answer);
      const changes = await this.settle(`${door} #${index} ${name} (${prepared.label})`);
      if (changes.length) counts.acceptedChangingState++;
      return;
    }
    const now = await this.reader.snapshot(this.world.scope());
    const changes = diff(this.baseline, now);
    const outside = probeChanges(probes, probesBefore, await readProbes(this.reader, probes), verdict.accepted);
    if (changes.length === 0 && outside.length === 0) return;

    if (isPlacementRefusal(route, verdict, messageOf(answer))) {
      // Documented: a CANCELLED order is left; once released, no money, stock or cart moved.
      const settled = await this.settle(`${door} #${index} ${name} refused ${verdict.code}`);
      const moved = settled.filter((change) => MONEY_PARTS.has(change.part) || (change.part === 'coupon.coupon' && change.before?.used !== change.after?.used));
      counts.documentedRefusals++;
      if (moved.length === 0 && outside.length === 0) return;
      counts.stateChanges++;
      finding('state-change', [`refused with ${verdict.code}, yet after the release:`, ...moved.map(describeChange), ...outside]);
      return;
    }
    counts.stateChanges++;
    finding('state-change', [
      `${route.method === 'GET' ? 'a GET' : `refused (HTTP ${answer.status})`}, yet the state changed; the last accepted request before it: ${this.lastAccepted}`,
      ...(this.inFlight.length
        ? [`the state had not settled after it (still in flight: ${this.inFlight.slice(0, 5).join(', ')}): the change may be that work finishing`]
        : []),
      ...changes.slice(0, 20).map(describeChange),
      ...(changes.length > 20 ? [`... and ${changes.length - 20} more rows`] : []),
      ...outside,
    ]);
    this.log(
      `STATE CHANGE by ${door} #${index} ${prepared.label} ${prepared.wire.method} ${prepared.wire.path.slice(0, 120)} -> HTTP ${answer.status}: ${[...changes.map(describeChange), ...outside].slice(0, 3).join('; ')}`,
    );
    await this.settle(`${door} #${index} ${name} (state change)`);
  }

  /** What the run does after an accepted request: cancel an order it placed, adopt what it created. */
  private async afterAccepted(route: Route, prepared: Prepared, answer: Answer): Promise<void> {
    const body = parseObject(answer.text);
    const name = routeName(route);
    if (name === 'POST /api/v1/orders' && (body.status === 'CONFIRMED' || body.status === 'PENDING')) {
      // Before its pay deadline cancels it 20 s from now, in the middle of other requests.
      const cancelled = await callJson(this.config.orderWeb, 'POST', `/api/v1/orders/${String(body.orderId)}/cancel`, {
        headers: { authorization: String(prepared.wire.headers.authorization) },
        json: { reason: 'fuzz: placed by a generated request' },
      });
      if (cancelled.status !== 200)
        this.report.notes.push(
          `order ${String(body.orderId)} placed by a generated request could not be cancelled: HTTP ${cancelled.status} ${JSON.stringify(cancelled.body).slice(0, 200)}`,
        );
    }
    if (name === 'POST /api/v1/auth/register' && typeof body.userId === 'string') this.world.users.add(body.userId);
    if (name === 'POST /api/v1/admin/goods' && typeof body.goodsId === 'string') this.world.goods.add(body.goodsId);
    // Asking again for a paid order's payment answers it (201, PAID); only a new open one is news.
    if (name === 'POST /api/v1/payments' && body.status === 'UNPAID')
      this.report.notes.push(`a generated request opened payment ${String(body.paymentId)} (order ${String(body.orderId)}): the run waited for it to close`);
  }

  /** Forms at Alipay's notify endpoint, against the run's paid trades. */
  async fuzzNotify(count: number): Promise<void> {
    if (count === 0) return;
    await this.topUp();
    const keys = loadNotifyKeys(this.config.alipayKeysDir, this.config.alipayAppId);
    const trades = await this.paidTrades();
    this.log(
      `notify: ${count} forms against ${trades.length} paid trades (${trades.filter((trade) => trade.genuine).length} with a genuine notification to replay)`,
    );
    const arbitrary = formArbitrary(trades, keys);
    const counts = this.report.notifyCounts;
    const started = Date.now();
    const path = '/api/v1/notify/alipay';
    for (let index = 0; index < count; index++) {
      const plan = drawn(arbitrary, seedFor(this.config.seed, 'notify', index));
      const wire = { method: 'POST', path, headers: {}, body: encodeForm(plan) };
      const answer = await send(this.config.payWeb, wire, this.config.timeoutMs);
      const verdict = judgeNotify(answer);
      const expected = expectedReply(plan, keys, trades);
      counts.forms++;
      const finding = (kind: FindingKind, detail: string[]) =>
        this.report.find({
          kind,
          where: `notify ${plan.scenario}`,
          index,
          request: `${plan.scenario}\n${describeRequest(this.config.payWeb, wire)}`,
          answer: describeAnswer(answer),
          detail: [`FUZZ_SEED=${this.config.seed}, notify form #${index}`, ...detail],
        });
      this.report.notifyAnswered(plan.scenario, verdict.reply ?? (answer.failure ? 'no answer' : `HTTP ${answer.status}`));
      if (verdict.failure) {
        if (answer.status >= 500) counts.fiveXX++;
        finding(answer.status >= 500 ? '5xx' : answer.failure ? 'no-answer' : 'malformed-answer', [
          verdict.failure,
          `the contract says: ${expected.reply} (${expected.why})`,
        ]);
        this.logFailure(
          `notify ${plan.scenario}`,
          `FAILURE ${verdict.failure}: FUZZ_SEED=${this.config.seed} notify #${index} ${plan.scenario} -> ${describeAnswer(answer).slice(0, 160)}`,
          describeRequest(this.config.payWeb, wire),
        );
        if (answer.failure?.includes('ECONNREFUSED')) await this.waitForDoor(this.config.payWeb);
      } else if (verdict.reply === 'success') counts.success++;
      else if (verdict.reply === 'failure') counts.failure++;
      else counts.refused++;
      if (verdict.reply === 'success' && !expected.signatureValid) {
        finding('forged-accepted', [`answered success to a form whose signature does not verify (${expected.why})`]);
      } else if (verdict.reply && verdict.reply !== expected.reply) {
        counts.differs++;
        finding('answer-differs', [
          `answered ${verdict.reply}; the contract says ${expected.reply} (${expected.why}); the signature verifies, so this is leniency or strictness, not a forgery`,
        ]);
      }
      const changes = diff(this.baseline, await this.reader.snapshot(this.world.scope()));
      if (changes.length) {
        counts.stateChanges++;
        finding('state-change', [`answered ${verdict.reply ?? answer.status}, yet the state changed:`, ...changes.slice(0, 20).map(describeChange)]);
        await this.settle(`notify #${index} (state change)`);
      }
    }
    counts.ms += Date.now() - started;
  }

  /** The run's payments that are PAID or REFUNDED, with the gateway's last notification of each. */
  private async paidTrades(): Promise<Trade[]> {
    const trades: Trade[] = [];
    for (const [paymentId, value] of this.baseline.get('pay.trade_pay') ?? []) {
      const row = rowObject('pay.trade_pay', value);
      if (row.status !== 'PAID' && row.status !== 'REFUNDED') continue;
      const trade = await callJson<{ lastNotification?: Record<string, string> | null }>(this.config.gateway, 'GET', `/sandbox/trades/${paymentId}`);
      trades.push({
        paymentId,
        amount: String(row.amount),
        tradeNo: String(row.alipay_trade_no ?? ''),
        ...(trade.status === 200 && trade.body.lastNotification && { genuine: trade.body.lastNotification }),
      });
    }
    return trades;
  }

  /** After the last request: nothing may change by itself (a pay deadline firing on a forgotten order). */
  async finalWatch(): Promise<void> {
    if (this.config.finalWatchMs === 0) return;
    this.log(`watching the state for ${this.config.finalWatchMs / 1000} s after the last request`);
    await new Promise((resolve) => setTimeout(resolve, this.config.finalWatchMs));
    const changes = diff(this.baseline, await this.reader.snapshot(this.world.scope()));
    if (changes.length) {
      this.report.find({
        kind: 'late-change',
        where: 'after the last request',
        index: -1,
        request: `nothing sent for ${this.config.finalWatchMs} ms; the last accepted request: ${this.lastAccepted}`,
        answer: '',
        detail: changes.slice(0, 30).map(describeChange),
      });
    }
  }
}

/** The kind of a request for the report: `body:deep-array`, `token:expired`, `field` (which field varies). */
function kindOf(label: string): string {
  const [mode, detail] = label.split(':');
  if (mode === 'field' || mode === 'path' || mode === 'query' || !detail) return mode ?? label;
  return `${mode}:${detail.split('=')[0]}`;
}

function isPlacementRefusal(route: Route, verdict: Verdict, message: string): boolean {
  if (routeName(route) !== 'POST /api/v1/orders' || verdict.code === undefined) return false;
  // Goods taken off sale within CATALOGUE_RECENT_MS of placement's last read of them are refused
  // by the stock reservation, after the order was written (docs/api.md, INVALID_ARGUMENT).
  return PLACEMENT_REFUSALS.has(verdict.code) || (verdict.code === ErrorCode.INVALID_ARGUMENT && / is not on sale$/.test(message));
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function messageOf(answer: Answer): string {
  const message = parseObject(answer.text).message;
  return typeof message === 'string' ? message : '';
}

export interface FuzzRunResult {
  report: FuzzReport;
  reportPath: string;
}

/** The whole run; the report is written even when the run stops half-way. */
export async function runFuzz(config: FuzzConfig, log: Log, command: string): Promise<FuzzRunResult> {
  log(`FUZZ_SEED=${config.seed} FUZZ_REQUESTS=${config.requestsPerDoor} FUZZ_NOTIFY_FORMS=${config.notifyForms} FUZZ_DOORS=${config.doors.join(',')}`);
  if (config.maxHttp > 0) traffic.limit = traffic.sent + config.maxHttp;
  const sentBefore = traffic.sent;
  const session = await FuzzSession.start(config, log);
  try {
    for (const door of config.doors) await session.fuzzDoor(door, config.requestsPerDoor);
    await session.fuzzNotify(config.notifyForms);
    await session.finalWatch();
  } catch (error) {
    session.report.notes.push(`the run stopped early: ${(error as Error).stack ?? String(error)}`);
    throw error;
  } finally {
    await session.close();
    session.report.notes.push(`${traffic.sent - sentBefore} HTTP requests in all (fixture, top-ups, cancellations and the gateway's control API included)`);
    log(session.report.summary());
    log(`report: ${session.report.write(config.reportDir, command)}`);
  }
  return { report: session.report, reportPath: session.report.pathIn(config.reportDir) };
}
