/**
 * Payments: created once per confirmed order, paid through Alipay, closed at the pay deadline.
 *
 * The deadline is enforced by the pay.timeout half message sent with every payment and left
 * unresolved: the broker's check-back ({@link settleUnpaid} via payment-check.ts) asks Alipay,
 * applies a payment the notification missed, answers "unknown" until the deadline, then closes
 * the trade at Alipay and commits the message, which makes the order service cancel the order.
 */
import { AppError, DomainError, enqueueEvent, ErrorCode, isSnowflakeId, Tags, Topics, type HalfMessage, type Logger, type SnowflakeGenerator } from '@shop/common';
import type { Transaction } from 'sequelize';
import { AlipayRefusal, type AlipayClient } from '../alipay/alipay-client';
import type { PaymentRow, PayStore } from '../store/pay-store';

/** What the pay service needs to know of an order (read from the order service). */
export interface OrderFacts {
  orderId: string;
  userId: string;
  status: string;
  payAmount: string;
  balancePaid: string;
  /** RFC 3339; empty when the order has none. */
  payDeadline: string;
}

export interface PaymentDeps {
  store: PayStore;
  ids: SnowflakeGenerator;
  alipay: AlipayClient;
  /** The order as its owner sees it (NOT_FOUND for another user's order). */
  readOrder(orderId: string, userId: string): Promise<OrderFacts>;
  sendTimeoutHalf(paymentId: string, orderId: string): Promise<HalfMessage>;
  notifyUrl: string;
  logger: Logger;
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
  return { paymentId: row.id, orderId: row.order_id, userId: row.user_id, amount: row.amount, status: row.status, qrCode: row.qr_code, expiresAt: row.expires_at.toISOString() };
}

/**
 * The payment of a confirmed, unpaid order. Invariant: one payment per order (asking again
 * answers the same one); its Alipay trade expires at the order's pay deadline.
 */
export async function createPayment(deps: PaymentDeps, input: { orderId: string; userId: string }): Promise<PaymentView | DomainError> {
  const { store, logger } = deps;
  if (!isSnowflakeId(input.orderId) || !isSnowflakeId(input.userId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid order or user id');
  const existing = await store.findByOrder(input.orderId);
  if (existing) return existing.user_id === input.userId ? toView(existing) : new DomainError(ErrorCode.NOT_FOUND, `order ${input.orderId} not found`);

  const order = await deps.readOrder(input.orderId, input.userId);
  if (order.status !== 'CONFIRMED') return new DomainError(ErrorCode.ORDER_STATE, `order is ${order.status}; only confirmed unpaid orders can be paid`);
  const expiresAt = new Date(order.payDeadline);
  if (!(expiresAt.getTime() - Date.now() > MIN_TIME_TO_PAY_MS)) return new DomainError(ErrorCode.ORDER_STATE, 'the pay deadline of this order has passed');

  const paymentId = deps.ids.next();
  const log = logger.child({ paymentId, orderId: order.orderId });
  const qr = await deps.alipay.precreate({ outTradeNo: paymentId, amount: order.payAmount, subject: `Shop order ${order.orderId}`, expiresAt, notifyUrl: deps.notifyUrl });
  if (qr instanceof AlipayRefusal) {
    log.error({ subCode: qr.subCode }, 'Alipay refused the precreate');
    return new DomainError(ErrorCode.UNAVAILABLE, 'Alipay refused to create the payment; try again');
  }
  // The half message first: from here on the broker will ask about this payment until it is settled.
  const half = await deps.sendTimeoutHalf(paymentId, order.orderId);
  const inserted = await store.transaction((tx) =>
    store.insertPayment(tx, { id: paymentId, orderId: order.orderId, userId: order.userId, amount: order.payAmount, balancePaid: order.balancePaid, qrCode: qr.qrCode, expiresAt }),
  );
  if (!inserted) {
    // A concurrent request created the order's payment first: ours never existed.
    await half.rollback().catch((error: unknown) => log.warn({ err: error }, 'rollback of a duplicate payment half message failed; the check-back finds no payment'));
    await deps.alipay.close(paymentId).catch(() => undefined);
    return toView((await store.findByOrder(order.orderId))!);
  }
  await store.log(undefined, { id: deps.ids.next(), paymentId, orderId: order.orderId, event: 'CREATED', amount: order.payAmount, detail: `qr ${qr.qrCode}` });
  log.info({ amount: order.payAmount, expiresAt }, 'payment created');
  return toView((await store.findPayment(paymentId))!);
}

export async function getPayment(store: PayStore, input: { paymentId: string; userId: string }): Promise<PaymentView | DomainError> {
  if (!isSnowflakeId(input.paymentId)) return new DomainError(ErrorCode.INVALID_ARGUMENT, 'invalid payment id');
  const row = await store.findPayment(input.paymentId);
  if (!row || (input.userId && row.user_id !== input.userId)) return new DomainError(ErrorCode.NOT_FOUND, `payment ${input.paymentId} not found`);
  return toView(row);
}

/**
 * Marks the payment PAID if it was not (UNPAID, or CLOSED by a close that lost the race with the
 * buyer) and announces pay.succeeded in the same transaction. Repeats change nothing.
 * @returns true when this call applied the payment.
 */
export async function applyPayment(store: PayStore, ids: SnowflakeGenerator, payment: PaymentRow, tradeNo: string, tx?: Transaction): Promise<boolean> {
  const work = async (transaction: Transaction) => {
    if (!(await store.transition(transaction, payment.id, ['UNPAID', 'CLOSED'], 'PAID', { tradeNo }))) return false;
    await enqueueEvent(store.sequelize, transaction, ids.next(), {
      topic: Topics.PAY_EVENTS,
      tag: Tags.PAY_SUCCEEDED,
      keys: [payment.id],
      body: { paymentId: payment.id, orderId: payment.order_id, userId: payment.user_id, amount: payment.amount, tradeNo },
    });
    return true;
  };
  return tx ? work(tx) : store.transaction(work);
}

export type Settlement = 'PAID' | 'CLOSED' | 'OPEN';

/**
 * Settles an UNPAID payment with Alipay: paid there -> applied here (PAID); still within its
 * deadline (and `force` unset) -> OPEN; otherwise the trade is closed at Alipay and the payment
 * CLOSED. A close refused because the buyer paid meanwhile applies the payment instead: money
 * taken is never left without its order knowing.
 */
export async function settleUnpaid(deps: Pick<PaymentDeps, 'store' | 'ids' | 'alipay' | 'logger'>, paymentId: string, options: { force?: boolean; onClosed?: (tx: Transaction, payment: PaymentRow) => Promise<void> } = {}): Promise<Settlement> {
  const { store, ids, alipay, logger } = deps;
  const payment = await store.findPayment(paymentId);
  if (!payment) throw new AppError(ErrorCode.NOT_FOUND, `payment ${paymentId} not found`);
  if (payment.status === 'PAID' || payment.status === 'REFUNDED') return 'PAID';
  if (payment.status === 'CLOSED') return 'CLOSED';

  const paidAtAlipay = async (): Promise<boolean> => {
    const trade = await alipay.query(paymentId);
    if (trade instanceof AlipayRefusal) {
      if (trade.subCode === 'ACQ.TRADE_NOT_EXIST') return false;
      throw new AppError(ErrorCode.UNAVAILABLE, `Alipay query refused: ${trade.subCode}`);
    }
    if (trade.status !== 'TRADE_SUCCESS' && trade.status !== 'TRADE_FINISHED') return false;
    if (trade.amount !== payment.amount) logger.error({ paymentId, alipayAmount: trade.amount, amount: payment.amount }, 'Alipay reports another amount; applied, reconciliation will show it');
    if (await applyPayment(store, ids, payment, trade.tradeNo)) logger.info({ paymentId }, 'payment found by query (the notification was missed)');
    return true;
  };

  if (await paidAtAlipay()) return 'PAID';
  if (!options.force && payment.expires_at.getTime() > Date.now()) return 'OPEN';

  const closed = await alipay.close(paymentId);
  if (closed instanceof AlipayRefusal && closed.subCode !== 'ACQ.TRADE_NOT_EXIST') {
    // TRADE_STATUS_ERROR: paid in the meantime, or closed already (expired at Alipay).
    if (await paidAtAlipay()) return 'PAID';
  }
  await store.transaction(async (tx) => {
    if (await store.transition(tx, paymentId, ['UNPAID'], 'CLOSED')) {
      await store.log(tx, { id: ids.next(), paymentId, orderId: payment.order_id, event: 'CLOSED', amount: payment.amount, detail: options.force ? 'order cancelled' : 'pay deadline passed' });
      await options.onClosed?.(tx, payment);
    }
  });
  logger.info({ paymentId, orderId: payment.order_id }, 'unpaid trade closed');
  return 'CLOSED';
}
