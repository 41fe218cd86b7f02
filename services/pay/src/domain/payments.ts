/**
 * Payments: created for a confirmed order through a channel (Alipay or WeChat Pay), settled at
 * the pay deadline.
 *
 * No money is ever kept for an order that cannot take it, whatever the timing:
 * - the payment row is written before the trade exists at its channel, and the order is read
 *   again once the channel made the QR code: a cancel in between gets no QR code handed out;
 * - a payment is CLOSED only once its channel says its trade cannot take money (closed, or never
 *   scanned and past its time_expire): a refused or failed close leaves it UNPAID, asked again;
 * - every payment a channel took is applied (pay.succeeded), and the order service accepts it or
 *   rejects it (order.payment-rejected), upon which it is refunded in full;
 * - one open payment per order: switching channel replaces the open payment by a new one (the
 *   order's next attempt) and closes the first trade; until its channel confirms the close it is
 *   settled like any other, and money landing on it is applied, then taken or refunded.
 *
 * The deadline: the order service's timer asks {@link settleOrderPayment} at the order's deadline;
 * the pay.timeout half message sent with every payment is checked back by the broker meanwhile
 * ({@link settleUnpaid} via payment-check.ts), which finds payments whose notification was lost.
 * A replaced payment no longer speaks for the order's deadline: its check-back only settles it.
 */
import { AppError, DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import type { HalfMessage } from '@shop/common/mq';
import { inTraceOf } from '@shop/common/trace';
import { paySucceeded } from './pay-events';
import { paymentMachine } from './pay-status';
import {
  ChannelRefusal,
  type ChannelName,
  type ChannelTrade,
  type OrderReader,
  type PaymentChannel,
  type PaymentChannels,
  type PaymentRepository,
  type PaymentRow,
  type Tx,
} from './ports';

export interface SettleDeps {
  store: PaymentRepository;
  ids: SnowflakeGenerator;
  channels: PaymentChannels;
  logger: Logger;
  /** PAY_EXPIRY_MARGIN_SECONDS: how long after time_expire an unscanned QR code is taken as dead. */
  expiryMarginMs: number;
}

export interface PaymentDeps extends SettleDeps, OrderReader {
  sendTimeoutHalf(paymentId: string, orderId: string): Promise<HalfMessage>;
}

export interface PaymentView {
  paymentId: string;
  orderId: string;
  userId: string;
  amount: string;
  status: PaymentRow['status'];
  channel: ChannelName;
  qrCode: string;
  expiresAt: string;
}

/** A payment needs at least this long before its deadline, or the buyer could not scan in time. */
const MIN_TIME_TO_PAY_MS = 5_000;

export function toView(row: PaymentRow): PaymentView {
  return {
    paymentId: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    amount: row.amount,
    status: row.status,
    channel: row.channel,
    qrCode: row.qr_code,
    expiresAt: row.expires_at.toISOString(),
  };
}

const cancelledMeanwhile = (status: string) => new DomainError(ErrorCode.ORDER_STATE, `order is ${status}; only confirmed unpaid orders can be paid`);

/**
 * The payment of a confirmed, unpaid order through `channel` (unset: the order's open payment's,
 * or the first channel open for it). Invariants: one open payment per order (asking again with its
 * channel answers the same one; another channel replaces it, see {@link switchChannel}); its trade
 * expires at the order's pay deadline; a QR code is handed out only while the order is still
 * CONFIRMED after the channel made it.
 */
export async function createPayment(deps: PaymentDeps, input: { orderId: string; userId: string; channel?: ChannelName }): Promise<PaymentView | DomainError> {
  const { store } = deps;
  if (!isSnowflakeId(input.orderId) || !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  let payment = await store.findByOrder(input.orderId);
  if (payment && payment.user_id !== input.userId) return new DomainError(ErrorCode.NOT_FOUND, `order ${input.orderId} not found`);
  // Paid, refunded or closed: nothing to pay or switch any more.
  if (payment && payment.status !== 'UNPAID') return toView(payment);
  if (payment && (input.channel === undefined || input.channel === payment.channel) && payment.qr_code) return toView(payment);

  if (!payment) {
    const order = await deps.readOrder(input.orderId, input.userId);
    if (order.status !== 'CONFIRMED') return cancelledMeanwhile(order.status);
    const expiresAt = new Date(order.payDeadline);
    if (!(expiresAt.getTime() - Date.now() > MIN_TIME_TO_PAY_MS)) return new DomainError(ErrorCode.ORDER_STATE, 'the pay deadline of this order has passed');
    const channel = pickChannel(deps, input.channel, order.payAmount);
    if (channel instanceof DomainError) return channel;
    payment = await openAttempt(deps, { ...order, channel, attempt: 1, expiresAt });
    if (payment.qr_code || payment.status !== 'UNPAID') return toView(payment);
  } else {
    // A payment whose trade was never made (its channel failed), finished or moved to another channel.
    const channel = pickChannel(deps, input.channel ?? payment.channel, payment.amount);
    if (channel instanceof DomainError) return channel;
    if (channel !== payment.channel) {
      if (!(payment.expires_at.getTime() - Date.now() > MIN_TIME_TO_PAY_MS))
        return new DomainError(ErrorCode.ORDER_STATE, 'the pay deadline of this order has passed');
      // A cancelled order keeps its payment as it is: nothing to switch to.
      const order = await deps.readOrder(payment.order_id, payment.user_id);
      if (order.status !== 'CONFIRMED') return cancelledMeanwhile(order.status);
      const switched = await switchChannel(deps, payment, channel);
      if (switched.status !== 'UNPAID' || switched.qr_code || switched.channel !== channel) return toView(switched);
      payment = switched;
    }
  }
  return handOutQrCode(deps, payment);
}

/** The channel asked for if it is open for `amount`, or the first open one when none was asked for. */
function pickChannel(deps: PaymentDeps, wanted: ChannelName | undefined, amount: string): ChannelName | DomainError {
  const options = deps.channels.optionsFor(amount);
  const open = options.filter((option) => option.available).map((option) => option.channel);
  const asked = wanted ?? open[0];
  if (asked !== undefined && open.includes(asked)) return asked;
  return channelUnavailable(options.find((option) => option.channel === asked)?.reason ?? 'no payment channel is open', open);
}

const channelUnavailable = (why: string, open: ChannelName[]) =>
  new DomainError(
    ErrorCode.CHANNEL_UNAVAILABLE,
    `${why}. ${open.length > 0 ? `Open channels: ${open.join(', ')}` : 'No other channel is open; try again later'}`,
  );

/** Writes a payment (one attempt of the order) before its trade exists, and its pay.timeout half message. */
async function openAttempt(
  deps: PaymentDeps,
  attempt: {
    orderId: string;
    userId: string;
    payAmount: string;
    balancePaid: string;
    traceParent?: string;
    channel: ChannelName;
    attempt: number;
    expiresAt: Date;
  },
  replacing?: PaymentRow,
): Promise<PaymentRow> {
  const { store, logger } = deps;
  const id = deps.ids.next();
  // The row first: from here on, whatever the channel does with this trade, the shop knows of it.
  const inserted = await store.transaction(async (tx) => {
    if (replacing) {
      // Under the lock of the payment it replaces: paid or replaced meanwhile, it stands.
      const current = await store.findPayment(replacing.id, tx);
      if (current?.status !== 'UNPAID' || current.superseded_at || !(await store.supersede(tx, replacing.id))) return false;
    }
    return store.insertPayment(tx, {
      id,
      channel: attempt.channel,
      attempt: attempt.attempt,
      orderId: attempt.orderId,
      userId: attempt.userId,
      amount: attempt.payAmount,
      balancePaid: attempt.balancePaid,
      expiresAt: attempt.expiresAt,
      traceParent: attempt.traceParent,
    });
  });
  if (inserted) {
    // The broker asks about the payment until it is settled (a lost notification is found by query).
    await deps
      .sendTimeoutHalf(id, attempt.orderId)
      .catch((error: unknown) => logger.warn({ err: error, paymentId: id }, 'pay.timeout half message not sent; the order deadline settles the payment'));
    await store.log(undefined, {
      id: deps.ids.next(),
      paymentId: id,
      orderId: attempt.orderId,
      event: 'CREATED',
      amount: attempt.payAmount,
      detail: `payment row written (${attempt.channel}${replacing ? `, replacing ${replacing.id}` : ''})`,
    });
  }
  return (await store.findByOrder(attempt.orderId))!;
}

/**
 * The customer pays through another channel: the open payment is replaced by the order's next
 * attempt, then its trade closed at its channel. If that channel took the money already, the
 * payment is applied instead and stands. Only the channel's yes makes the replaced payment
 * CLOSED; otherwise it stays UNPAID (replaced) and the sweeper settles it until its channel says
 * it is dead: money landing on it meanwhile is applied, and the order takes it or refunds it.
 * @returns the order's payment afterwards.
 */
async function switchChannel(deps: PaymentDeps, payment: PaymentRow, channel: ChannelName): Promise<PaymentRow> {
  const { store, logger } = deps;
  const from = deps.channels.of(payment.channel);
  const log = logger.child({ paymentId: payment.id, orderId: payment.order_id, from: payment.channel, to: channel });
  const trade = await queryTrade(from, payment.id, log);
  if (trade !== 'UNKNOWN' && trade.state === 'PAID') {
    await applyPayment(store, deps.ids, payment, trade.tradeNo);
    log.info('switch asked for a payment its channel took meanwhile: applied instead');
    return (await store.findByOrder(payment.order_id))!;
  }
  const next = await openAttempt(
    deps,
    {
      orderId: payment.order_id,
      userId: payment.user_id,
      payAmount: payment.amount,
      balancePaid: payment.balance_paid,
      traceParent: payment.trace_parent ?? undefined,
      channel,
      attempt: payment.attempt + 1,
      expiresAt: payment.expires_at,
    },
    payment,
  );
  if (next.attempt === payment.attempt + 1 && next.channel === channel) {
    const closed = await from.close(payment.id).catch((error: unknown) => new ChannelRefusal('RETRY', 'TRANSPORT', String(error)));
    if (closed instanceof ChannelRefusal)
      log.warn({ code: closed.code }, 'replaced trade not closed yet; settled by the sweeper until its channel says it is dead');
    else await close(deps, payment, { reason: `replaced by a payment through ${channel}` });
    log.info('payment channel switched');
  }
  return next;
}

/** Makes the payment's trade at its channel and hands out its QR code, if the order still wants it. */
async function handOutQrCode(deps: PaymentDeps, payment: PaymentRow): Promise<PaymentView | DomainError> {
  const { store, logger } = deps;
  const log = logger.child({ paymentId: payment.id, orderId: payment.order_id, channel: payment.channel });
  // Finishing a payment whose trade was never made (its channel failed): only while it can still be paid.
  if (!(payment.expires_at.getTime() - Date.now() > MIN_TIME_TO_PAY_MS))
    return new DomainError(ErrorCode.ORDER_STATE, 'the pay deadline of this order has passed');
  const channel = deps.channels.of(payment.channel);
  const qr = await channel
    .createQr({ outTradeNo: payment.id, amount: payment.amount, subject: `Shop order ${payment.order_id}`, expiresAt: payment.expires_at })
    .catch((error: unknown) => new ChannelRefusal('RETRY', 'TRANSPORT', String(error)));
  if (qr instanceof ChannelRefusal) {
    log.error({ code: qr.code, refusal: qr.message }, `${channel.title} did not create the trade`);
    if (qr.kind !== 'RETRY') return new DomainError(ErrorCode.UNAVAILABLE, `${channel.title} refused to create the payment; try again`);
    deps.channels.markDown(channel.name, `${qr.code} ${qr.message}`);
    const open = deps.channels
      .optionsFor(payment.amount)
      .filter((option) => option.available)
      .map((option) => option.channel);
    return channelUnavailable(`${channel.title} is not answering`, open);
  }
  // A second look: the order may have been cancelled while the channel made the trade.
  const order = await deps.readOrder(payment.order_id, payment.user_id);
  if (order.status !== 'CONFIRMED') {
    log.warn({ status: order.status }, 'order left CONFIRMED while its trade was being created; no QR code handed out');
    await channel.close(payment.id).catch(() => undefined);
    return cancelledMeanwhile(order.status);
  }
  await store.setQrCode(payment.id, qr.qrCode);
  log.info({ amount: payment.amount, expiresAt: payment.expires_at }, 'payment created');
  return toView((await store.findPayment(payment.id))!);
}

/** The channels and whether each is open for the order's payment now. */
export async function listChannels(deps: PaymentDeps, input: { orderId: string; userId: string }) {
  if (!isSnowflakeId(input.orderId) || !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  const order = await deps.readOrder(input.orderId, input.userId);
  return deps.channels.optionsFor(order.payAmount);
}

export async function getPayment(store: PaymentRepository, input: { paymentId: string; userId: string }): Promise<PaymentView | DomainError> {
  if (!isSnowflakeId(input.paymentId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid payment id');
  const row = await store.findPayment(input.paymentId);
  if (!row || (input.userId && row.user_id !== input.userId)) return new DomainError(ErrorCode.NOT_FOUND, `payment ${input.paymentId} not found`);
  return toView(row);
}

/**
 * Marks the payment PAID if it was not (UNPAID, or CLOSED: Alipay is the money's truth, and a
 * payment it took is applied whatever the shop thought) and announces pay.succeeded in the same
 * transaction. The order service then accepts it, or rejects it and it is refunded. Repeats
 * change nothing. It is done in the order's trace (kept with the payment), linked to what found
 * the payment (a notification, a query): pay.succeeded and its consumers belong to the order.
 * A payment read PAID or REFUNDED already answers a repeat without a transaction: no move leads
 * back to UNPAID or CLOSED, so "only if unpaid" could not apply it (Alipay's duplicate
 * notifications, most of them, cost one read instead of four round trips).
 * @returns true when this call applied the payment.
 */
export async function applyPayment(store: PaymentRepository, ids: SnowflakeGenerator, payment: PaymentRow, tradeNo: string, tx?: Tx): Promise<boolean> {
  if (!paymentMachine.can('pay', payment.status)) return false;
  const work = async (transaction: Tx) => {
    if (!(await store.transition(transaction, payment.id, 'pay', { tradeNo }))) return false;
    await store.enqueue(transaction, ids.next(), paySucceeded(payment, tradeNo));
    return true;
  };
  return inTraceOf(payment.trace_parent, 'apply payment', () => (tx ? work(tx) : store.transaction(work)));
}

export type Settlement = 'PAID' | 'CLOSED' | 'OPEN';

type CloseOptions = { reason?: string; onClosed?: (tx: Tx, payment: PaymentRow) => Promise<void> };

/**
 * Settles an UNPAID payment with its channel:
 *   paid there                                    -> applied here: PAID
 *   closed there, or never scanned and dead (past time_expire and the margin) -> CLOSED
 *   still payable, before its deadline (`force` unset, not replaced) -> OPEN
 *   still payable, due (or replaced by another attempt) -> closed at the channel, then CLOSED
 *   anything the channel could not answer or refused -> OPEN: asked again later
 * Only an answer from the channel closes a payment: a refused close (the buyer paying right then,
 * or the channel failing) leaves it UNPAID, so CLOSED never hides money the channel took.
 * `onClosed` runs in the transaction that closes it, unless the payment was replaced (it no
 * longer speaks for the order).
 */
export async function settleUnpaid(deps: SettleDeps, paymentId: string, options: { force?: boolean } & CloseOptions = {}): Promise<Settlement> {
  const { store, logger } = deps;
  const payment = await store.findPayment(paymentId);
  if (!payment) throw new AppError(ErrorCode.NOT_FOUND, `payment ${paymentId} not found`);
  if (payment.status === 'PAID' || payment.status === 'REFUNDED') return 'PAID';
  if (payment.status === 'CLOSED') return 'CLOSED';
  const channel = deps.channels.of(payment.channel);
  const log = logger.child({ paymentId, orderId: payment.order_id, channel: payment.channel });
  const due = options.force || payment.superseded_at !== null || payment.expires_at.getTime() <= Date.now();
  const dead = payment.expires_at.getTime() + deps.expiryMarginMs <= Date.now();

  const trade = await queryTrade(channel, paymentId, log);
  if (trade === 'UNKNOWN') return 'OPEN';
  if (trade.state === 'PAID') {
    if (trade.amount !== payment.amount)
      log.error({ channelAmount: trade.amount, amount: payment.amount }, 'the channel reports another amount; applied, reconciliation will show it');
    if (await applyPayment(store, deps.ids, payment, trade.tradeNo)) log.info('payment found by query (the notification was missed or is late)');
    return 'PAID';
  }
  if (trade.state === 'CLOSED' || (trade.state === 'NOT_FOUND' && dead)) return close(deps, payment, options);
  if (trade.state === 'NOT_FOUND' || !due) return 'OPEN';

  // A trade the buyer can still pay, and due: close it at the channel; only its yes closes it here.
  const closed = await channel.close(paymentId).catch((error: unknown) => new ChannelRefusal('RETRY', 'TRANSPORT', String(error)));
  if (closed instanceof ChannelRefusal) {
    log.warn({ code: closed.code }, `${channel.title} did not close the trade; it is asked again later`);
    return 'OPEN';
  }
  return close(deps, payment, options);
}

async function close(deps: SettleDeps, payment: PaymentRow, options: { force?: boolean } & CloseOptions): Promise<Settlement> {
  const { store, ids } = deps;
  await store.transaction(async (tx) => {
    // Read under its lock: a switch of channel that replaced it meanwhile is seen.
    const current = (await store.findPayment(payment.id, tx))!;
    if (await store.transition(tx, payment.id, 'close')) {
      await store.log(tx, {
        id: ids.next(),
        paymentId: payment.id,
        orderId: payment.order_id,
        event: 'CLOSED',
        amount: payment.amount,
        detail: options.reason ?? (current.superseded_at ? 'replaced by another channel' : options.force ? 'order cancelled' : 'pay deadline passed'),
      });
      if (!current.superseded_at) await options.onClosed?.(tx, current);
    }
  });
  deps.logger.info({ paymentId: payment.id, orderId: payment.order_id }, 'unpaid trade closed');
  const now = (await store.findPayment(payment.id))!;
  // A notification applied meanwhile wins: the payment is PAID.
  return now.status === 'CLOSED' ? 'CLOSED' : 'PAID';
}

type Trade = ChannelTrade | { state: 'NOT_FOUND' };

/** The trade as its channel sees it; UNKNOWN when the channel could not say. */
async function queryTrade(channel: PaymentChannel, paymentId: string, log: Logger): Promise<Trade | 'UNKNOWN'> {
  let trade: ChannelTrade | ChannelRefusal;
  try {
    trade = await channel.query(paymentId);
  } catch (error) {
    log.warn({ err: error }, `${channel.title} query failed; asked again later`);
    return 'UNKNOWN';
  }
  if (trade instanceof ChannelRefusal) {
    // Alipay knows no trade until a buyer scans the QR code; WeChat Pay none that was never made.
    if (trade.kind === 'NOT_FOUND') return { state: 'NOT_FOUND' };
    log.warn({ code: trade.code }, `${channel.title} refused the query; asked again later`);
    return 'UNKNOWN';
  }
  return trade;
}

/**
 * A payment a channel took that the shop has not recorded (its bill says paid, the row says
 * UNPAID or CLOSED): applied now, so that its order takes it or rejects it (and it is refunded).
 * @returns true when the channel confirms the payment (applied now or before).
 */
export async function recoverPayment(deps: SettleDeps, payment: PaymentRow): Promise<boolean> {
  const trade = await queryTrade(deps.channels.of(payment.channel), payment.id, deps.logger.child({ paymentId: payment.id }));
  if (trade === 'UNKNOWN' || trade.state !== 'PAID') return false;
  if (await applyPayment(deps.store, deps.ids, payment, trade.tradeNo))
    deps.logger.warn({ paymentId: payment.id, orderId: payment.order_id }, 'payment found by reconciliation; applied');
  return true;
}

export type OrderSettlement = 'NO_PAYMENT' | Settlement;

/**
 * Asked by the order service at an order's pay deadline: the order's payments settled with their
 * channels (forced: the deadline has passed). Replaced ones first: money that landed on one of
 * them pays the order (and the current one, paid too, is refunded). OPEN until the channel of
 * the current payment answers, and while a QR code nobody scanned may still be scanned (the
 * margin after time_expire).
 */
export async function settleOrderPayment(deps: SettleDeps, orderId: string): Promise<{ settlement: OrderSettlement; paymentId: string } | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  const payments = await deps.store.listOfOrder(orderId);
  const current = payments.at(-1);
  if (!current) return { settlement: 'NO_PAYMENT', paymentId: '' };
  for (const replaced of payments.slice(0, -1)) {
    if (replaced.status === 'UNPAID') await settleUnpaid(deps, replaced.id, { force: true });
  }
  const paid = (await deps.store.listOfOrder(orderId)).find((payment) => payment.status === 'PAID' || payment.status === 'REFUNDED');
  if (paid && paid.id !== current.id) return { settlement: 'PAID', paymentId: paid.id };
  return { settlement: await settleUnpaid(deps, current.id, { force: true }), paymentId: current.id };
}
