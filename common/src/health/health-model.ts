/**
 * One process's health, the same model for the gRPC services and the front doors.
 *
 * - Readiness: named checks (MySQL, RocketMQ, a front door's providers; ZooKeeper) run every
 *   second, each bounded by a timeout, so that a lost dependency fails readiness within
 *   interval + timeout (3 s, under the 5 s the operators are promised) and a dependency that comes
 *   back makes the process ready again by itself, with nobody restarting anything. A check is
 *   critical (its failure fails readiness) or reported only: ZooKeeper is reported, since the
 *   providers each process caches keep calls going while it is away. A process that is shutting
 *   down is not ready whatever its checks say (the front doors' drain).
 * - Liveness: the process answers and its event loop turns. The checks' own timer measures how
 *   late it fires: a loop blocked for longer than {@link STALLED_AFTER_MS} says so.
 *
 * The verdicts are read from memory (the last round): a probe's request never waits on MySQL.
 */
import type { Logger } from '../log';

export interface HealthCheck {
  name: string;
  /** A failure fails readiness (MySQL, RocketMQ); otherwise it is reported only (ZooKeeper). */
  critical: boolean;
  /** Resolves when the dependency answers, rejects with the reason otherwise. */
  probe(): Promise<void>;
  /** Releases what the probe holds (a connection, a channel). */
  close?(): void;
}

export interface CheckReport {
  status: 'up' | 'down' | 'pending';
  critical: boolean;
  /** When the check last changed status (ISO 8601). */
  since: string;
  /** Why it is down. */
  detail?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not ready';
  checks: Record<string, CheckReport>;
  /** What keeps the process from being ready (critical checks down, shutting down, starting). */
  problems?: string[];
}

export interface LivenessReport {
  status: 'ok' | 'stalled';
  /** How late the health timer last fired: the event loop's recent delay. */
  eventLoopDelayMs: number;
}

/** Every second: the budget is 5 s from a loss to a failing readiness, at most interval + timeout here. */
export const HEALTH_INTERVAL_MS = 1_000;
/** A probe without an answer by then counts as down. */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000;
/** An event loop that did not turn for this long is not alive. */
export const STALLED_AFTER_MS = 10_000;

export interface HealthOptions {
  logger: Logger;
  intervalMs?: number;
  timeoutMs?: number;
}

interface CheckState {
  check: HealthCheck;
  report: CheckReport;
  /** The probe still running (a dependency that never answers): no second one is started beside it. */
  inFlight: Promise<void> | undefined;
}

export class Health {
  private readonly checks = new Map<string, CheckState>();
  private readonly listeners = new Set<(ready: boolean) => void>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private drainingSince: string | undefined;
  private lastReady = false;
  private lastTickAt = Date.now();
  private eventLoopDelayMs = 0;

  constructor(private readonly options: HealthOptions) {
    this.intervalMs = options.intervalMs ?? HEALTH_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
  }

  /** Adds a check; it is first run with the next round (or by {@link start}). */
  add(check: HealthCheck): this {
    if (this.checks.has(check.name)) throw new Error(`health check ${check.name} added twice`);
    this.checks.set(check.name, { check, report: { status: 'pending', critical: check.critical, since: new Date().toISOString() }, inFlight: undefined });
    return this;
  }

  /** Runs every check once (the first verdict is known when this resolves), then every interval. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.round();
    this.schedule();
  }

  /** Called with the new readiness whenever it changes (the gRPC health status follows it). */
  onChange(listener: (ready: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get ready(): boolean {
    return this.problems().length === 0;
  }

  readiness(): ReadinessReport {
    const problems = this.problems();
    const checks = Object.fromEntries([...this.checks].map(([name, state]) => [name, { ...state.report }]));
    return problems.length === 0 ? { status: 'ready', checks } : { status: 'not ready', checks, problems };
  }

  liveness(): LivenessReport {
    // A timer that should have fired long ago and did not: the loop is blocked (or the timer died).
    const overdueMs = this.started && !this.stopped ? Date.now() - this.lastTickAt - this.intervalMs - this.timeoutMs : 0;
    const delayMs = Math.max(this.eventLoopDelayMs, overdueMs);
    return { status: delayMs > STALLED_AFTER_MS ? 'stalled' : 'ok', eventLoopDelayMs: Math.max(0, Math.round(delayMs)) };
  }

  /**
   * Shutting down: not ready from now on, whatever the checks say, so that load balancers stop
   * sending before the listener closes.
   */
  beginDrain(): void {
    if (this.drainingSince) return;
    this.drainingSince = new Date().toISOString();
    this.publish();
  }

  /** Stops the rounds and releases what the checks hold. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const { check } of this.checks.values()) check.close?.();
  }

  private problems(): string[] {
    if (this.drainingSince) return [`shutting down since ${this.drainingSince}`];
    if (!this.started) return ['starting'];
    const problems: string[] = [];
    for (const [name, { report }] of this.checks) {
      if (report.critical && report.status !== 'up') problems.push(`${name}: ${report.detail ?? report.status}`);
    }
    return problems;
  }

  private schedule(): void {
    if (this.stopped) return;
    const due = Date.now() + this.intervalMs;
    this.timer = setTimeout(() => {
      this.eventLoopDelayMs = Date.now() - due;
      void this.round()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'health round failed'))
        .finally(() => this.schedule());
    }, this.intervalMs);
    // The health timer never keeps a process alive on its own.
    this.timer.unref();
  }

  private async round(): Promise<void> {
    this.lastTickAt = Date.now();
    await Promise.all([...this.checks.values()].map((state) => this.run(state)));
    this.publish();
  }

  private async run(state: CheckState): Promise<void> {
    const { check } = state;
    if (!state.inFlight) {
      state.inFlight = check.probe().finally(() => (state.inFlight = undefined));
      // Settled later than the timeout: only the next round's verdict counts.
      state.inFlight.catch(() => undefined);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([state.inFlight, timeout]);
      this.record(state, 'up');
    } catch (error) {
      this.record(state, 'down', error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  private record(state: CheckState, status: 'up' | 'down', detail?: string): void {
    const { report, check } = state;
    if (report.status !== status) {
      const level = status === 'up' ? 'info' : check.critical ? 'warn' : 'info';
      this.options.logger[level]({ check: check.name, critical: check.critical, detail }, `health: ${check.name} ${status}`);
      report.since = new Date().toISOString();
    }
    report.status = status;
    if (detail) report.detail = detail;
    else delete report.detail;
  }

  private publish(): void {
    const ready = this.ready;
    if (ready === this.lastReady) return;
    this.lastReady = ready;
    if (ready) this.options.logger.info('ready');
    // Draining is the normal way out, not a warning.
    else this.options.logger[this.drainingSince ? 'info' : 'warn']({ problems: this.problems() }, 'not ready');
    for (const listener of this.listeners) listener(ready);
  }
}
