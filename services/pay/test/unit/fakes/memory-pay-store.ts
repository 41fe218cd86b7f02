/**
 * In-memory implementations of the pay domain's repositories (src/domain/ports.ts), for unit
 * tests, honouring the contracts of the SQL stores: conditional status moves through the machines
 * of pay-status.ts, one payment per order, one refund per (order, request id), steps stamped
 * once, leases, DECIMAL(14,2) amounts as MySQL returns them, and an outbox (and the refund rows)
 * written in the transaction and rolled back with it when its work throws.
 */
import { formatCents, parseCents } from '@shop/common/money';
import type { OutgoingMessage } from '@shop/common/mq';
import { paymentMachine, refundMachine, type PaymentMove, type RefundMove } from '../../../src/domain/pay-status';
import type {
  Difference,
  NewPayment,
  NewRefund,
  PaidPayment,
  PayDayStats,
  PayLogEntry,
  PaymentRepository,
  PaymentRow,
  PaymentStatus,
  Plan,
  RefundRepository,
  RefundRow,
  RefundStatus,
  RefundStep,
  Tx,
} from '../../../src/domain/ports';

/**
 * The database's clock (UTC_TIMESTAMP): the process's time, which the domain reads with
 * Date.now(), plus what a test skipped forward (to let a lease expire).
 */
export class DbClock {
  private skippedMs = 0;
  now = (): Date => new Date(Date.now() + this.skippedMs);
  skip(ms: number): void {
    this.skippedMs += ms;
  }
}

/** A DECIMAL(14,2) column: what MySQL gives back for what was written. */
const decimal = (amount: string): string => formatCents(parseCents(amount)!);

/** A transaction handle: the fakes ignore it, as the domain only hands it back. */
const TX = {} as Tx;

interface PaymentState {
  payments: Map<string, PaymentRow>;
  log: PayLogEntry[];
  outbox: OutgoingMessage[];
}

export class MemoryPayments implements PaymentRepository {
  private state: PaymentState = { payments: new Map(), log: [], outbox: [] };
  readonly reports = new Map<string, { matched: number; differences: Difference[] }>();
  /** created_at of each payment (the domain never reads it; the dashboard's numbers do). */
  private readonly createdAt = new Map<string, Date>();
  /** Set by a test to fail the next transaction's commit (a database that went away). */
  failNextCommit = false;

  /** `refunds`: the refund rows of the same database, which commit and roll back with these. */
  constructor(
    readonly clock: DbClock,
    private readonly refunds: MemoryRefunds,
  ) {}

  /** What the relay would send, in the order it was written. */
  get outbox(): readonly OutgoingMessage[] {
    return this.state.outbox;
  }

  get payLog(): readonly PayLogEntry[] {
    return this.state.log;
  }

  /** The row as it is, for a test to look at or to age (expires_at). */
  row(id: string): PaymentRow {
    return this.state.payments.get(id)!;
  }

  /** Transactions opened so far. */
  transactions = 0;

  /** Runs `work` as one transaction: what it wrote is undone (payments, log, outbox, refunds) when it throws. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    this.transactions++;
    const rollback = this.snapshot();
    try {
      const result = await work(TX);
      this.commit();
      return result;
    } catch (error) {
      rollback();
      throw error;
    }
  }

  private commit(): void {
    if (!this.failNextCommit) return;
    this.failNextCommit = false;
    throw new Error('connection lost at commit');
  }

  /** The database as it is now; calling the result puts it back. */
  private snapshot(): () => void {
    const { payments, log, outbox } = this.state;
    const saved: PaymentState = { payments: new Map([...payments].map(([id, row]) => [id, { ...row }])), log: [...log], outbox: [...outbox] };
    const restoreRefunds = this.refunds.snapshot();
    return () => {
      this.state = saved;
      restoreRefunds();
    };
  }

  async insertPayment(_tx: Tx, row: NewPayment): Promise<boolean> {
    if ([...this.state.payments.values()].some((payment) => payment.order_id === row.orderId && payment.attempt === row.attempt)) return false;
    this.state.payments.set(row.id, {
      id: row.id,
      order_id: row.orderId,
      user_id: row.userId,
      amount: decimal(row.amount),
      balance_paid: decimal(row.balancePaid),
      status: 'UNPAID',
      channel: row.channel,
      attempt: row.attempt,
      superseded_at: null,
      qr_code: '',
      expires_at: row.expiresAt,
      trade_no: null,
      refunded_amount: '0.00',
      paid_at: null,
    });
    this.createdAt.set(row.id, this.clock.now());
    return true;
  }

  async setQrCode(id: string, qrCode: string): Promise<void> {
    const row = this.state.payments.get(id);
    if (row && row.qr_code === '') row.qr_code = qrCode;
  }

  async findPayment(id: string): Promise<PaymentRow | undefined> {
    const row = this.state.payments.get(id);
    return row && { ...row };
  }

  async findByOrder(orderId: string): Promise<PaymentRow | undefined> {
    return (await this.listOfOrder(orderId)).at(-1);
  }

  async listOfOrder(orderId: string): Promise<PaymentRow[]> {
    return [...this.state.payments.values()]
      .filter((payment) => payment.order_id === orderId)
      .sort((a, b) => a.attempt - b.attempt)
      .map((row) => ({ ...row }));
  }

  async supersede(_tx: Tx, id: string): Promise<boolean> {
    const row = this.state.payments.get(id);
    if (row?.status !== 'UNPAID' || row.superseded_at) return false;
    row.superseded_at = this.clock.now();
    return true;
  }

  async transition(_tx: Tx, id: string, move: PaymentMove, extra: { tradeNo?: string } = {}): Promise<boolean> {
    const row = this.state.payments.get(id);
    const { from, to } = paymentMachine.moves[move];
    if (!row || !(from as readonly PaymentStatus[]).includes(row.status)) return false;
    row.status = to;
    if (to === 'PAID') {
      row.paid_at = this.clock.now();
      row.trade_no = extra.tradeNo ?? null;
    }
    return true;
  }

  async overdueIds(graceMs: number, limit: number): Promise<string[]> {
    const due = this.clock.now().getTime() - graceMs;
    return [...this.state.payments.values()]
      .filter((row) => row.status === 'UNPAID' && (row.expires_at.getTime() < due || row.superseded_at !== null))
      .sort((a, b) => a.expires_at.getTime() - b.expires_at.getTime())
      .slice(0, limit)
      .map((row) => row.id);
  }

  async addRefunded(_tx: Tx, id: string, amount: string): Promise<boolean> {
    const row = this.state.payments.get(id)!;
    const refunded = parseCents(row.refunded_amount)! + parseCents(amount)!;
    if (refunded > parseCents(row.amount)!) return false;
    row.refunded_amount = formatCents(refunded);
    return true;
  }

  async log(_tx: Tx | undefined, entry: PayLogEntry): Promise<void> {
    const event = entry.event.slice(0, 32);
    if (this.state.log.some((line) => line.paymentId === entry.paymentId && line.event === event)) return;
    this.state.log.push({ ...entry, event });
  }

  async paidOn(date: string): Promise<PaidPayment[]> {
    // A China-time day (UTC+8), as Alipay's bill counts it.
    const start = Date.parse(`${date}T00:00:00+08:00`);
    return [...this.state.payments.values()]
      .filter((row) => (row.status === 'PAID' || row.status === 'REFUNDED') && row.paid_at)
      .filter((row) => row.paid_at!.getTime() >= start && row.paid_at!.getTime() < start + 86_400_000)
      .map(({ id, channel, amount, refunded_amount, status }) => ({ id, channel, amount, refunded_amount, status }));
  }

  async saveReconciliation(report: { date: string; matched: number; differences: Difference[] }): Promise<void> {
    this.reports.set(report.date, { matched: report.matched, differences: report.differences });
  }

  async enqueue(_tx: Tx, _id: string, message: OutgoingMessage): Promise<void> {
    this.state.outbox.push(message);
  }

  async dailyStats(from: Date, end: Date): Promise<Pick<PayDayStats, 'day' | 'payments' | 'paid' | 'closed'>[]> {
    const days = new Map<string, Pick<PayDayStats, 'day' | 'payments' | 'paid' | 'closed'>>();
    for (const row of this.state.payments.values()) {
      const created = this.createdAt.get(row.id)!;
      if (created < from || created >= end) continue;
      const day = created.toISOString().slice(0, 10);
      const stats = days.get(day) ?? { day, payments: 0, paid: 0, closed: 0 };
      stats.payments++;
      if (row.status === 'PAID' || row.status === 'REFUNDED') stats.paid++;
      if (row.status === 'CLOSED') stats.closed++;
      days.set(day, stats);
    }
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }
}

export class MemoryRefunds implements RefundRepository {
  private rows = new Map<string, RefundRow>();
  /** next_attempt_at of each refund: who may run it, from when. */
  private leases = new Map<string, number>();
  /** channel_waiting: postponed while the channel moves the money (never written in a transaction). */
  private readonly waitingOnChannel = new Set<string>();

  constructor(private readonly clock: DbClock) {}

  /** The rows and leases as they are now; calling the result puts them back (a rolled-back transaction). */
  snapshot(): () => void {
    const rows = new Map([...this.rows].map(([id, row]) => [id, { ...row }]));
    const leases = new Map(this.leases);
    return () => {
      this.rows = rows;
      this.leases = leases;
    };
  }

  /** Every refund, oldest first. */
  all(): RefundRow[] {
    return [...this.rows.values()].map((row) => ({ ...row }));
  }

  async insert(refund: NewRefund): Promise<boolean> {
    if ([...this.rows.values()].some((row) => row.order_id === refund.orderId && row.request_id === refund.requestId)) return false;
    const now = this.clock.now();
    this.rows.set(refund.id, {
      id: refund.id,
      request_id: refund.requestId,
      order_id: refund.orderId,
      payment_id: refund.paymentId,
      user_id: refund.userId,
      kind: refund.kind,
      status: 'PENDING',
      requested_amount: refund.requestedAmount,
      request_hash: refund.requestHash,
      items: JSON.stringify(refund.items),
      reason: refund.reason,
      after_sales_id: refund.afterSalesId,
      amount: '0.00',
      alipay_amount: '0.00',
      balance_amount: '0.00',
      points: '0',
      restock: '[]',
      release_coupon: 0,
      completes_order: 0,
      held_at: null,
      alipay_done_at: null,
      balance_done_at: null,
      points_done_at: null,
      stock_done_at: null,
      coupon_done_at: null,
      alipay_attempts: 0,
      attempts: 0,
      last_error: null,
      failure_reason: null,
      created_at: now,
      finished_at: null,
    });
    if (refund.plan) this.hold(refund.id, refund.plan);
    this.leases.set(refund.id, now.getTime() + refund.leaseMs);
    return true;
  }

  async find(id: string): Promise<RefundRow | undefined> {
    const row = this.rows.get(id);
    return row && { ...row };
  }

  async findByRequest(orderId: string, requestId: string): Promise<RefundRow | undefined> {
    const row = [...this.rows.values()].find((refund) => refund.order_id === orderId && refund.request_id === requestId);
    return row && { ...row };
  }

  async listOfOrder(orderId: string): Promise<RefundRow[]> {
    return this.all()
      .filter((row) => row.order_id === orderId)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  async deleteUnheld(id: string): Promise<void> {
    const row = this.rows.get(id);
    if (row && row.held_at === null && row.status === 'PENDING') this.rows.delete(id);
  }

  async savePlan(id: string, plan: Plan): Promise<void> {
    if (this.rows.get(id)?.held_at === null) this.hold(id, plan);
  }

  async markDone(_tx: Tx | undefined, id: string, step: RefundStep): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row[`${step}_done_at`]) return false;
    row[`${step}_done_at`] = this.clock.now();
    return true;
  }

  async countAlipayAttempt(id: string): Promise<void> {
    this.rows.get(id)!.alipay_attempts++;
  }

  async finish(_tx: Tx, id: string, move: RefundMove, failureReason: string | null): Promise<boolean> {
    const row = this.rows.get(id);
    const { from, to } = refundMachine.moves[move];
    if (!row || !(from as readonly RefundStatus[]).includes(row.status)) return false;
    row.status = to;
    row.failure_reason = failureReason?.slice(0, 255) ?? null;
    row.finished_at = this.clock.now();
    return true;
  }

  async postpone(id: string, delayMs: number, error: string, waitingOnChannel = false): Promise<void> {
    const row = this.rows.get(id);
    if (row?.status !== 'PENDING') return;
    row.attempts++;
    row.last_error = error.slice(0, 255);
    this.leases.set(id, this.clock.now().getTime() + delayMs);
    if (waitingOnChannel) this.waitingOnChannel.add(id);
    else this.waitingOnChannel.delete(id);
  }

  async wake(id: string): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.rows.get(id)?.status === 'PENDING' && this.waitingOnChannel.has(id) && this.leases.get(id)! > now) this.leases.set(id, now);
  }

  async claim(id: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (this.rows.get(id)?.status !== 'PENDING' || this.leases.get(id)! > now) return false;
    this.leases.set(id, now + leaseMs);
    this.waitingOnChannel.delete(id);
    return true;
  }

  async dueIds(limit: number): Promise<string[]> {
    const now = this.clock.now().getTime();
    return [...this.rows.values()]
      .filter((row) => row.status === 'PENDING' && this.leases.get(row.id)! <= now)
      .sort((a, b) => this.leases.get(a.id)! - this.leases.get(b.id)!)
      .slice(0, limit)
      .map((row) => row.id);
  }

  async pendingOfOrder(orderId: string): Promise<RefundRow[]> {
    return this.all().filter((row) => row.order_id === orderId && row.status === 'PENDING');
  }

  async listAll(status: RefundStatus | undefined, offset: number, limit: number): Promise<{ rows: RefundRow[]; total: number }> {
    const rows = this.all()
      .filter((row) => !status || row.status === status)
      .reverse();
    return { rows: rows.slice(offset, offset + limit), total: rows.length };
  }

  async dailyStats(from: Date, end: Date): Promise<Pick<PayDayStats, 'day' | 'refundsSucceeded' | 'refundsFailed' | 'refundsPending' | 'refunded'>[]> {
    const days = new Map<string, Pick<PayDayStats, 'day' | 'refundsSucceeded' | 'refundsFailed' | 'refundsPending' | 'refunded'>>();
    for (const row of this.rows.values()) {
      if (row.created_at < from || row.created_at >= end) continue;
      const day = row.created_at.toISOString().slice(0, 10);
      const stats = days.get(day) ?? { day, refundsSucceeded: 0, refundsFailed: 0, refundsPending: 0, refunded: '0.00' };
      if (row.status === 'SUCCEEDED') {
        stats.refundsSucceeded++;
        stats.refunded = formatCents(parseCents(stats.refunded)! + parseCents(row.amount)!);
      }
      if (row.status === 'FAILED') stats.refundsFailed++;
      if (row.status === 'PENDING') stats.refundsPending++;
      days.set(day, stats);
    }
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  private hold(id: string, plan: Plan): void {
    Object.assign(this.rows.get(id)!, {
      amount: decimal(plan.amount),
      alipay_amount: decimal(plan.alipayAmount),
      balance_amount: decimal(plan.balanceAmount),
      points: plan.points,
      restock: JSON.stringify(plan.restock),
      release_coupon: plan.releaseCoupon ? 1 : 0,
      completes_order: plan.completesOrder ? 1 : 0,
      held_at: this.clock.now(),
    });
  }
}
