/**
 * Payments: created once per confirmed order, paid through Alipay, settled at the pay deadline.
 *
 * No money is ever kept for an order that cannot take it, whatever the timing:
 * - the payment row is written before the trade exists at Alipay, and the order is read again
 *   once Alipay made the QR code: a cancel in between gets no QR code handed out;
 * - a payment is CLOSED only once Alipay says its trade cannot take money (closed, or never
 *   scanned and past its time_expire): a refused or failed close leaves it UNPAID, asked again;
 * - every payment Alipay took is applied (pay.succeeded), and the order service accepts it or
 *   rejects it (order.payment-rejected), upon which it is refunded in full.
 *
 * The deadline: the order service's timer asks {@link settleOrderPayment} at the order's deadline;
 * the pay.timeout half message sent with every payment is checked back by the broker meanwhile
 * ({@link settleUnpaid} via payment-check.ts), which finds payments whose notification was lost.
 */
import { AppError, DomainError, ErrorCode } from '@shop/common/errors';
import { isSnowflakeId, type SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import type { HalfMessage } from '@shop/common/mq';
import { inTraceOf } from '@shop/common/trace';
import { paySucceeded } from './pay-events';
import { AlipayRefusal, type OrderReader, type PaymentGateway, type PaymentRepository, type PaymentRow, type Tx } from './ports';

export interface SettleDeps {
  store: PaymentRepository;
  ids: SnowflakeGenerator;
  alipay: PaymentGateway;
  logger: Logger;
  /** PAY_EXPIRY_MARGIN_SECONDS: how long after time_expire an unscanned QR code is taken as dead. */
  expiryMarginMs: number;
}

export interface PaymentDeps extends SettleDeps, OrderReader {
  sendTimeoutHalf(paymentId: string, orderId: string): Promise<HalfMessage>;
  notifyUrl: string;
}

export interface PaymentView {
  paymentId: string;
  orderId: string;
  userId: string;
  amount: string;
  status: PaymentRow['status'];
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
    qrCode: row.qr_code,
    expiresAt: row.expires_at.toISOString(),
  };
}

const cancelledMeanwhile = (status: string) => new DomainError(ErrorCode.ORDER_STATE, `order is ${status}; only confirmed unpaid orders can be paid`);

/**
 * The payment of a confirmed, unpaid order. Invariant: one payment per order (asking again
 * answers the same one); its Alipay trade expires at the order's pay deadline; a QR code is
 * handed out only while the order is still CONFIRMED after Alipay made it.
 */
export async function createPayment(deps: PaymentDeps, input: { orderId: string; userId: string }): Promise<PaymentView | DomainError> {
  const { store, logger } = deps;
  if (!isSnowflakeId(input.orderId) || !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  let payment = await store.findByOrder(input.orderId);
  if (payment && payment.user_id !== input.userId) return new DomainError(ErrorCode.NOT_FOUND, `order ${input.orderId} not found`);
  if (payment && (payment.qr_code || payment.status !== 'UNPAID')) return toView(payment);

  if (!payment) {
    const order = await deps.readOrder(input.orderId, input.userId);
    if (order.status !== 'CONFIRMED') return cancelledMeanwhile(order.status);
    const expiresAt = new Date(order.payDeadline);
    if (!(expiresAt.getTime() - Date.now() > MIN_TIME_TO_PAY_MS)) return new DomainError(ErrorCode.ORDER_STATE, 'the pay deadline of this order has passed');
    const id = deps.ids.next();
    // The row first: from here on, whatever Alipay does with this trade, the shop knows of it.
    const inserted = await store.transaction((tx) =>
      store.insertPayment(tx, {
        id,
        orderId: order.orderId,
        userId: order.userId,
        amount: order.payAmount,
        balancePaid: order.balancePaid,
        expiresAt,
        traceParent: order.traceParent,
      }),
    );
    payment = (await store.findByOrder(input.orderId))!;
    if (inserted) {
      // The broker asks about the payment until it is settled (a lost notification is found by query).
      await deps
        .sendTimeoutHalf(id, order.orderId)
        .catch((error: unknown) => logger.warn({ err: error, paymentId: id }, 'pay.timeout half message not sent; the order deadline settles the payment'));
      await store.log(undefined, {
        id: deps.ids.next(),
        paymentId: id,
        orderId: order.orderId,
        event: 'CREATED',
        amount: order.payAmount,
        detail: 'payment row written',
      });
    }
    if (payment.qr_code || payment.status !== 'UNPAID') return toView(payment);
  }

  const log = logger.child({ paymentId: payment.id, orderId: payment.order_id });
  // Finishing a payment whose trade was never made (Alipay failed): only while it can still be paid.
  if (!(payment.expires_at.getTime() - Date.now() > MIN_TIME_TO_PAY_MS))
    return new DomainError(ErrorCode.ORDER_STATE, 'the pay deadline of this order has passed');
  const qr = await deps.alipay.precreate({
    outTradeNo: payment.id,
    amount: payment.amount,
    subject: `Shop order ${payment.order_id}`,
    expiresAt: payment.expires_at,
    notifyUrl: deps.notifyUrl,
  });
  if (qr instanceof AlipayRefusal) {
    log.error({ subCode: qr.subCode }, 'Alipay refused the precreate');
    return new DomainError(ErrorCode.UNAVAILABLE, 'Alipay refused to create the payment; try again');
  }
  // A second look: the order may have been cancelled while Alipay made the trade.
  const order = await deps.readOrder(payment.order_id, payment.user_id);
  if (order.status !== 'CONFIRMED') {
    log.warn({ status: order.status }, 'order left CONFIRMED while its trade was being created; no QR code handed out');
    await deps.alipay.close(payment.id).catch(() => undefined);
    return cancelledMeanwhile(order.status);
  }
  await store.setQrCode(payment.id, qr.qrCode);
  log.info({ amount: payment.amount, expiresAt: payment.expires_at }, 'payment created');
  return toView((await store.findPayment(payment.id))!);
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
 * @returns true when this call applied the payment.
 */
export async function applyPayment(store: PaymentRepository, ids: SnowflakeGenerator, payment: PaymentRow, tradeNo: string, tx?: Tx): Promise<boolean> {
  const work = async (transaction: Tx) => {
    if (!(await store.transition(transaction, payment.id, 'pay', { tradeNo }))) return false;
    await store.enqueue(transaction, ids.next(), paySucceeded(payment, tradeNo));
    return true;
  };
  return inTraceOf(payment.trace_parent, 'apply payment', () => (tx ? work(tx) : store.transaction(work)));
}

export type Settlement = 'PAID' | 'CLOSED' | 'OPEN';

/**
 * Settles an UNPAID payment with Alipay:
 *   paid there                                    -> applied here: PAID
 *   closed there, or never scanned and dead (past time_expire and the margin) -> CLOSED
 *   still payable, before its deadline (`force` unset) -> OPEN
 *   still payable, due                            -> closed at Alipay, then CLOSED
 *   anything Alipay could not answer or refused   -> OPEN: asked again later
 * Only an answer from Alipay closes a payment: a refused close (the buyer paying right then, or
 * Alipay failing) leaves it UNPAID, so CLOSED never hides money Alipay took.
 * `onClosed` runs in the transaction that closes it.
 */
export async function settleUnpaid(
  deps: SettleDeps,
  paymentId: string,
  options: { force?: boolean; onClosed?: (tx: Tx, payment: PaymentRow) => Promise<void> } = {},
): Promise<Settlement> {
  const { store, alipay, logger } = deps;
  const payment = await store.findPayment(paymentId);
  if (!payment) throw new AppError(ErrorCode.NOT_FOUND, `payment ${paymentId} not found`);
  if (payment.status === 'PAID' || payment.status === 'REFUNDED') return 'PAID';
  if (payment.status === 'CLOSED') return 'CLOSED';
  const log = logger.child({ paymentId, orderId: payment.order_id });
  const due = options.force || payment.expires_at.getTime() <= Date.now();
  const dead = payment.expires_at.getTime() + deps.expiryMarginMs <= Date.now();

  const trade = await queryTrade(alipay, paymentId, log);
  if (trade === 'UNKNOWN') return 'OPEN';
  if (trade.kind === 'PAID') {
    if (trade.amount !== payment.amount)
      log.error({ alipayAmount: trade.amount, amount: payment.amount }, 'Alipay reports another amount; applied, reconciliation will show it');
    if (await applyPayment(store, deps.ids, payment, trade.tradeNo)) log.info('payment found by query (the notification was missed or is late)');
    return 'PAID';
  }
  if (trade.kind === 'CLOSED' || (trade.kind === 'NOT_SCANNED' && dead)) return close(deps, payment, options);
  if (trade.kind === 'NOT_SCANNED' || !due) return 'OPEN';

  // A trade the buyer can still pay, and due: close it at Alipay; only its yes closes it here.
  const closed = await alipay.close(paymentId).catch((error: unknown) => new AlipayRefusal('TRANSPORT', String(error)));
  if (closed instanceof AlipayRefusal) {
    log.warn({ subCode: closed.subCode }, 'Alipay did not close the trade; it is asked again later');
    return 'OPEN';
  }
  return close(deps, payment, options);
}

async function close(
  deps: SettleDeps,
  payment: PaymentRow,
  options: { force?: boolean; onClosed?: (tx: Tx, payment: PaymentRow) => Promise<void> },
): Promise<Settlement> {
  const { store, ids } = deps;
  await store.transaction(async (tx) => {
    if (await store.transition(tx, payment.id, 'close')) {
      await store.log(tx, {
        id: ids.next(),
        paymentId: payment.id,
        orderId: payment.order_id,
        event: 'CLOSED',
        amount: payment.amount,
        detail: options.force ? 'order cancelled' : 'pay deadline passed',
      });
      await options.onClosed?.(tx, payment);
    }
  });
  deps.logger.info({ paymentId: payment.id, orderId: payment.order_id }, 'unpaid trade closed');
  const now = (await store.findPayment(payment.id))!;
  // A notification applied meanwhile wins: the payment is PAID.
  return now.status === 'CLOSED' ? 'CLOSED' : 'PAID';
}

type Trade = { kind: 'PAID'; amount: string; tradeNo: string } | { kind: 'WAITING' } | { kind: 'CLOSED' } | { kind: 'NOT_SCANNED' };

/** The trade as Alipay sees it; UNKNOWN when Alipay could not say. */
async function queryTrade(alipay: PaymentGateway, paymentId: string, log: Logger): Promise<Trade | 'UNKNOWN'> {
  let trade: Awaited<ReturnType<PaymentGateway['query']>>;
  try {
    trade = await alipay.query(paymentId);
  } catch (error) {
    log.warn({ err: error }, 'Alipay query failed; asked again later');
    return 'UNKNOWN';
  }
  if (trade instanceof AlipayRefusal) {
    // Alipay knows no trade until a buyer scans the QR code.
    if (trade.subCode === 'ACQ.TRADE_NOT_EXIST') return { kind: 'NOT_SCANNED' };
    log.warn({ subCode: trade.subCode }, 'Alipay refused the query; asked again later');
    return 'UNKNOWN';
  }
  if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED') return { kind: 'PAID', amount: trade.amount, tradeNo: trade.tradeNo };
  if (trade.status === 'TRADE_CLOSED') return { kind: 'CLOSED' };
  return { kind: 'WAITING' };
}

/**
 * A payment Alipay took that the shop has not recorded (its bill says paid, the row says UNPAID
 * or CLOSED): applied now, so that its order takes it or rejects it (and it is refunded).
 * @returns true when Alipay confirms the payment (applied now or before).
 */
export async function recoverPayment(deps: SettleDeps, payment: PaymentRow): Promise<boolean> {
  const trade = await queryTrade(deps.alipay, payment.id, deps.logger.child({ paymentId: payment.id }));
  if (trade === 'UNKNOWN' || trade.kind !== 'PAID') return false;
  if (await applyPayment(deps.store, deps.ids, payment, trade.tradeNo))
    deps.logger.warn({ paymentId: payment.id, orderId: payment.order_id }, 'payment found by reconciliation; applied');
  return true;
}

export type OrderSettlement = 'NO_PAYMENT' | Settlement;

/**
 * Asked by the order service at an order's pay deadline: the order's payment settled with
 * Alipay (forced: the deadline has passed). OPEN until Alipay answers, and while a QR code nobody
 * scanned may still be scanned (the margin after time_expire).
 */
export async function settleOrderPayment(deps: SettleDeps, orderId: string): Promise<{ settlement: OrderSettlement; paymentId: string } | DomainError> {
  if (!isSnowflakeId(orderId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order id');
  const payment = await deps.store.findByOrder(orderId);
  if (!payment) return { settlement: 'NO_PAYMENT', paymentId: '' };
  return { settlement: await settleUnpaid(deps, payment.id, { force: true }), paymentId: payment.id };
}
