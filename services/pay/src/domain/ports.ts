/**
 * The ports of the pay domain: what it needs from the world, as interfaces. The stores (SQL),
 * the payment channels (channels/) and the RPC clients implement them in production; the unit tests implement
 * them in memory (test/unit/fakes). The records here are the domain's own types.
 */
import type { DomainError } from '@shop/common/errors';
import type { OutgoingMessage } from '@shop/common/mq';
import type { PayRefundFinishedEvent, RefundLine, RefundShares } from '@shop/contracts';
import type { Transaction } from 'sequelize';
import type { PaymentMove, PaymentStatus, RefundMove, RefundStatus } from './pay-status';

export type { PaymentStatus, RefundStatus } from './pay-status';

/** A database transaction: the domain only hands it back to the repositories. */
export type Tx = Transaction;

// ---------------------------------------------------------------------------------------------
// Payments

export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount: string;
  balance_paid: string;
  status: PaymentStatus;
  /** The channel the trade is made at (its out_trade_no is the payment id). */
  channel: ChannelName;
  /** The order's payments are numbered 1, 2...: a new one when the customer switches channel. */
  attempt: number;
  /** Set when a payment of another channel replaced it: it no longer decides the order's deadline. */
  superseded_at: Date | null;
  /** Empty until the channel created the trade (the row is written first). */
  qr_code: string;
  expires_at: Date;
  /** The channel's own number of the trade (Alipay trade_no, WeChat transaction_id), once paid. */
  trade_no: string | null;
  refunded_amount: string;
  paid_at: Date | null;
  /** The order's trace (its placement's W3C traceparent), which applying the payment joins. */
  trace_parent?: string | null;
}

export interface NewPayment {
  id: string;
  channel: ChannelName;
  attempt: number;
  orderId: string;
  userId: string;
  amount: string;
  balancePaid: string;
  expiresAt: Date;
  /** The order's trace (OrderFacts.traceParent). */
  traceParent?: string;
}

/** A line of the payment log, for people reading it: one per (payment, event). */
export interface PayLogEntry {
  id: string;
  paymentId: string;
  orderId: string;
  event: string;
  amount: string;
  detail: string;
}

/** A payment of a bill's day, as reconciliation compares it. */
export interface PaidPayment {
  id: string;
  channel: ChannelName;
  amount: string;
  refunded_amount: string;
  status: PaymentStatus;
}

/** A line of a reconciliation report. */
export interface Difference {
  type: 'LOCAL_ONLY' | 'THIRD_PARTY_ONLY' | 'AMOUNT_MISMATCH';
  channel: ChannelName;
  outTradeNo: string;
  localAmount: string;
  /** The channel's bill's amount (the name is from when Alipay was the only channel). */
  alipayAmount: string;
  action: string;
}

/** The payments, their log, the reconciliation reports, and the outbox of the same database. */
export interface PaymentRepository {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Inserts an UNPAID payment without its QR code yet; false when the order has one of that attempt already. */
  insertPayment(tx: Tx, row: NewPayment): Promise<boolean>;
  /** Records the QR code the channel made for the trade (only the first one). */
  setQrCode(id: string, qrCode: string): Promise<void>;
  /** Reads the payment; with a transaction, locks its row until the transaction ends. */
  findPayment(id: string, tx?: Tx): Promise<PaymentRow | undefined>;
  /** The order's current payment (its latest attempt). */
  findByOrder(orderId: string, tx?: Tx): Promise<PaymentRow | undefined>;
  /** Every payment of the order, first attempt first. */
  listOfOrder(orderId: string): Promise<PaymentRow[]>;
  /** Marks an UNPAID payment replaced by another attempt; false when it was not UNPAID or replaced already. */
  supersede(tx: Tx, id: string): Promise<boolean>;
  /** Applies the move (pay-status.ts); false when the payment was in none of its starting statuses. */
  transition(tx: Tx, id: string, move: PaymentMove, extra?: { tradeNo?: string }): Promise<boolean>;
  /** UNPAID payments whose deadline passed more than `graceMs` ago, or replaced by another attempt, oldest first. */
  overdueIds(graceMs: number, limit: number): Promise<string[]>;
  /** Adds to the refunded amount if it stays within the payment; false otherwise. */
  addRefunded(tx: Tx, id: string, amount: string): Promise<boolean>;
  /** Records an event of a payment, once per (payment, event). */
  log(tx: Tx | undefined, entry: PayLogEntry): Promise<void>;
  /** Payments paid on a day of the channels' bills (a China-time day, UTC+8). */
  paidOn(date: string): Promise<PaidPayment[]>;
  /** Stores the report of a day, replacing an earlier run's. */
  saveReconciliation(report: { date: string; matched: number; differences: Difference[] }): Promise<void>;
  /** Writes a message to the outbox within the transaction; the relay sends it after the commit. */
  enqueue(tx: Tx, id: string, message: OutgoingMessage): Promise<void>;
  /** Payments per UTC day of creation, in [from, end); days without payments are absent. */
  dailyStats(from: Date, end: Date): Promise<Pick<PayDayStats, 'day' | 'payments' | 'paid' | 'closed'>[]>;
}

// ---------------------------------------------------------------------------------------------
// Refunds

export type RefundKind = 'CUSTOMER' | 'AFTER_SALES' | 'PAYMENT_REJECTED';
/**
 * The steps after the hold, in the order they run. `alipay` is the part that goes back through
 * the payment's channel, Alipay or WeChat Pay (the step, and its columns alipay_*, were named
 * when Alipay was the only channel; renaming them would rename stored data for nothing).
 */
export type RefundStep = 'alipay' | 'balance' | 'points' | 'stock' | 'coupon';

/** Goods a refund gives back to stock (the contracts' shape, shared with the order service). */
export type { RefundLine } from '@shop/contracts';

export interface RefundRow {
  id: string;
  request_id: string;
  order_id: string;
  payment_id: string | null;
  user_id: string;
  kind: RefundKind;
  status: RefundStatus;
  requested_amount: string;
  request_hash: string;
  /** JSON RefundLine[]: the lines asked for. */
  items: string | null;
  reason: string;
  after_sales_id: string | null;
  // The plan, known once held.
  amount: string;
  alipay_amount: string;
  balance_amount: string;
  points: string;
  /** JSON RefundLine[]: the stock that goes back. */
  restock: string | null;
  release_coupon: number;
  completes_order: number;
  held_at: Date | null;
  alipay_done_at: Date | null;
  balance_done_at: Date | null;
  points_done_at: Date | null;
  stock_done_at: Date | null;
  coupon_done_at: Date | null;
  alipay_attempts: number;
  attempts: number;
  last_error: string | null;
  failure_reason: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface NewRefund {
  id: string;
  requestId: string;
  orderId: string;
  paymentId: string | null;
  userId: string;
  kind: RefundKind;
  requestedAmount: string;
  requestHash: string;
  items: RefundLine[];
  reason: string;
  afterSalesId: string | null;
  /** How long the creator may run it before a sweeper may take it over. */
  leaseMs: number;
  /** A refund that needs no hold (PAYMENT_REJECTED) comes with its plan. */
  plan?: Plan;
}

/** What the order service's hold answers: the refund's shares (one shape for both services, in contracts). */
export type Plan = RefundShares;

/**
 * The refunds: one row per (order, request id), its steps stamped as they are done. A runner
 * holds a refund by its lease (next_attempt_at) while it runs it.
 */
export interface RefundRepository {
  /** Inserts a PENDING refund, leased to its creator; false when (order, request id) exists. */
  insert(refund: NewRefund): Promise<boolean>;
  /** Reads the refund; with a transaction, locks its row until the transaction ends. */
  find(id: string, tx?: Tx): Promise<RefundRow | undefined>;
  findByRequest(orderId: string, requestId: string): Promise<RefundRow | undefined>;
  /** The order's refunds, oldest first. */
  listOfOrder(orderId: string): Promise<RefundRow[]>;
  /** Deletes a refund that never moved money (its hold was refused). */
  deleteUnheld(id: string): Promise<void>;
  /** Records the plan once (held). */
  savePlan(id: string, plan: Plan): Promise<void>;
  /** Stamps a step done; false when it was stamped already (by another runner). */
  markDone(tx: Tx | undefined, id: string, step: RefundStep): Promise<boolean>;
  /** Counts a call to the channel before it is made, so that a later runner asks the channel first. */
  countAlipayAttempt(id: string): Promise<void>;
  /** Ends the refund by the move (pay-status.ts); false when it had ended already. */
  finish(tx: Tx, id: string, move: RefundMove, failureReason: string | null): Promise<boolean>;
  /**
   * A try that must be repeated later: counted, and retried after `delayMs`. `waitingOnChannel`:
   * the channel is still moving the money, and its notification may {@link wake} the refund early.
   */
  postpone(id: string, delayMs: number, error: string, waitingOnChannel?: boolean): Promise<void>;
  /** Makes a refund postponed while waiting on its channel due now; nothing for one a runner holds. */
  wake(id: string): Promise<void>;
  /** Takes the refund for `leaseMs` if nobody holds it (its lease expired); false otherwise. */
  claim(id: string, leaseMs: number): Promise<boolean>;
  /** PENDING refunds nobody holds (due, or left behind by a process that died). */
  dueIds(limit: number): Promise<string[]>;
  /** The order's refunds still PENDING. */
  pendingOfOrder(orderId: string): Promise<RefundRow[]>;
  /** Every order's refunds, newest first, optionally of one status (the admin's list). */
  listAll(status: RefundStatus | undefined, offset: number, limit: number): Promise<{ rows: RefundRow[]; total: number }>;
  /** Refunds per UTC day of their request, in [from, end); days without refunds are absent. */
  dailyStats(from: Date, end: Date): Promise<Pick<PayDayStats, 'day' | 'refundsSucceeded' | 'refundsFailed' | 'refundsPending' | 'refunded'>[]>;
}

/** The payments created and the refunds asked for on one UTC day, by what became of them. */
export interface PayDayStats {
  /** YYYY-MM-DD, UTC. */
  day: string;
  payments: number;
  /** PAID or REFUNDED now. */
  paid: number;
  closed: number;
  refundsSucceeded: number;
  refundsFailed: number;
  refundsPending: number;
  /** Decimal string: what the succeeded refunds gave back. */
  refunded: string;
}

// ---------------------------------------------------------------------------------------------
// Payment channels

/** The channels a customer may pay through (the proto's Channel names). */
export const CHANNEL_NAMES = ['ALIPAY_QR', 'WECHAT_NATIVE'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/**
 * What a channel's refusal means for the domain:
 *   NOT_FOUND  the channel knows no such trade or refund (an Alipay QR code nobody scanned yet,
 *              a WeChat order or refund never made)
 *   RETRY      not now: the same request may succeed later (a system error, a balance to top up)
 *   FINAL      no, for good
 *   NO_BILL    no bill for that day (yet)
 */
export type RefusalKind = 'NOT_FOUND' | 'RETRY' | 'FINAL' | 'NO_BILL';

/**
 * A channel said no, with its own code (Alipay's sub_code, WeChat Pay's code). A value, not an
 * exception: the domain tells refusals (an answer) from failures (thrown: no answer at all).
 */
export class ChannelRefusal {
  constructor(
    readonly kind: RefusalKind,
    readonly code: string,
    readonly message: string,
  ) {}
}

/** A trade as its channel sees it. */
export type ChannelTrade = { state: 'PAID'; amount: string; tradeNo: string } | { state: 'WAITING' } | { state: 'CLOSED' };

/** A refund as its channel sees it: PROCESSING until the money moved (WeChat Pay), FAILED for good. */
export type ChannelRefundState = { state: 'SUCCEEDED' } | { state: 'PROCESSING' } | { state: 'FAILED'; reason: string };

/** A notification as the channel delivered it: Alipay posts a form, WeChat Pay signed JSON. */
export type RawNotification = { form: Record<string, string> } | { headers: Record<string, string>; body: string };

/** What a notification that verified says, in the domain's words. */
export type ChannelNotice =
  | { kind: 'PAID'; noticeId: string; outTradeNo: string; amount: string; tradeNo: string }
  | { kind: 'REFUND'; noticeId: string; outTradeNo: string; refundId: string }
  | { kind: 'OTHER'; noticeId: string; outTradeNo: string };

/**
 * A payment channel: a QR trade per payment (out_trade_no = the payment id), and its refunds
 * (one per refund id). channels/alipay-channel.ts and channels/wechatpay-channel.ts implement it;
 * everything above it (payments, check-backs, refunds, reconciliation) is written once.
 */
export interface PaymentChannel {
  readonly name: ChannelName;
  /** For people: "Alipay", "WeChat Pay". */
  readonly title: string;
  /** A QR code for the trade, payable until `expiresAt`. */
  createQr(input: { outTradeNo: string; amount: string; subject: string; expiresAt: Date }): Promise<{ qrCode: string } | ChannelRefusal>;
  /** NOT_FOUND: Alipay knows no trade until a buyer scanned the QR code; WeChat Pay none never made. */
  query(outTradeNo: string): Promise<ChannelTrade | ChannelRefusal>;
  /** Closes a trade the buyer has not paid: only `closed` says it can no longer take money. */
  close(outTradeNo: string): Promise<{ closed: true } | ChannelRefusal>;
  /** Refunds `amount` once per `refundId`: a repeat answers the same refund without moving money. */
  refund(input: { outTradeNo: string; refundId: string; amount: string; total: string; reason: string }): Promise<ChannelRefundState | ChannelRefusal>;
  /** The refund `refundId` of the trade: NOT_FOUND when the channel made none. */
  refundQuery(input: { outTradeNo: string; refundId: string }): Promise<ChannelRefundState | ChannelRefusal>;
  /** out_trade_no -> amount of the trades paid on a China-time day (UTC+8), from the channel's bill. */
  paidOnDay(date: string): Promise<Map<string, string> | ChannelRefusal>;
  /** The notification, if it verifies (signature, merchant, decryption); undefined otherwise, the reason logged. */
  readNotification(raw: RawNotification): ChannelNotice | undefined;
}

/** A channel offered for a payment, or why not. */
export interface ChannelOption {
  channel: ChannelName;
  available: boolean;
  reason: string;
}

/** The channels of the shop: each payment's own, and which may take a new payment now. */
export interface PaymentChannels {
  /** Every channel the shop is set up for, open to new payments or not. */
  names(): ChannelName[];
  /** Whether the shop is set up for the channel (production may leave WeChat Pay out). */
  has(name: ChannelName): boolean;
  /** The channel of a payment (open for new payments or not: its trades are still settled). */
  of(name: ChannelName): PaymentChannel;
  /** Every channel the shop knows, in order of preference, and whether it takes a payment of `amount` now. */
  optionsFor(amount: string): ChannelOption[];
  /** The channel's gateway failed (no answer, a system error): no new payments through it for a while. */
  markDown(name: ChannelName, why: string): void;
}

// ---------------------------------------------------------------------------------------------
// The other services

/** What the pay service needs to know of an order (read from the order service). */
export interface OrderFacts {
  orderId: string;
  userId: string;
  status: string;
  payAmount: string;
  balancePaid: string;
  /** RFC 3339; empty when the order has none. */
  payDeadline: string;
  /** What its succeeded refunds gave back. */
  refundedAmount: string;
  /** The W3C traceparent of the order's placement ('' or absent when it was not traced). */
  traceParent?: string;
  /** The payment the order took ('' or absent until paid, and for orders paid before it was recorded). */
  paymentId?: string;
}

export interface OrderReader {
  /** The order as its owner sees it (NOT_FOUND for another user's order; '' user: anyone's). */
  readOrder(orderId: string, userId: string): Promise<OrderFacts>;
}

/** The other services a refund's steps call; refusals of the hold come back as values. */
export interface RefundParties {
  holdRefund(request: {
    refundId: string;
    orderId: string;
    userId: string;
    kind: 'CUSTOMER' | 'AFTER_SALES';
    amount: string;
    lines: RefundLine[];
    afterSalesId: string;
  }): Promise<Plan | DomainError>;
  refundBalance(input: { orderId: string; userId: string; refundId: string; amount: string }): Promise<void>;
  deductPoints(input: { refundId: string; orderId: string; userId: string; points: string }): Promise<void>;
  returnStock(input: { refundId: string; orderId: string; lines: RefundLine[] }): Promise<void>;
  releaseCoupon(orderId: string): Promise<void>;
  /** Tells the order service at once that a refund ended (pay.refund-finished is the guarantee). */
  finishRefund(finished: PayRefundFinishedEvent): Promise<void>;
}
