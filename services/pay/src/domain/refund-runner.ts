/**
 * A refund is a recorded state machine that always finishes. Its row is written first (PENDING),
 * then its steps run in order, each idempotent by the refund id and stamped in the row when done:
 *
 *   hold     the order service checks the refund against the order's rules and answers the plan
 *            (amounts, points, stock, coupon); refused: nothing happened, the row goes
 *   alipay   alipay.trade.refund with out_request_no = refund id; after a try whose answer was
 *            lost, alipay.trade.fastpay.refund.query first tells whether Alipay did it
 *   balance  user.RefundBalance   points  user.DeductPoints
 *   stock    goods.ReturnStock    coupon  coupon.ReleaseCoupon (before shipment)
 *   finish   SUCCEEDED, with pay.refund-finished in the same transaction (the order's hold ends,
 *            and the refund completing the order makes it REFUNDED)
 *
 * Alipay refusing for good (before anything else moved) ends it FAILED with the reason. Any other
 * trouble (a service down, Alipay failing or silent) postpones it with a growing back-off; the
 * refund sweeper and the next start-up carry on from the first step not stamped. One runner at a
 * time: the row's lease (next_attempt_at) is taken before running.
 */
import { DomainError, ErrorCode } from '@shop/common/errors';
import type { SnowflakeGenerator } from '@shop/common/ids';
import type { Logger } from '@shop/common/log';
import { parseCents } from '@shop/common/money';
import { isPlanted, PlantedDefects, type PayRefundFinishedEvent } from '@shop/contracts';
import { refundFinished } from './pay-events';
import {
  AlipayRefusal,
  type PaymentGateway,
  type PaymentRepository,
  type PaymentRow,
  type RefundLine,
  type RefundParties,
  type RefundRepository,
  type RefundRow,
  type RefundStep,
} from './ports';

export interface RefundRunnerDeps {
  store: PaymentRepository;
  refunds: RefundRepository;
  ids: SnowflakeGenerator;
  alipay: PaymentGateway;
  parties: RefundParties;
  logger: Logger;
  /** How long a runner may hold a refund before another may take it over. */
  leaseMs: number;
}

/** Test-only (fault injection): runs after a step, may throw or never return. */
export type StepHook = (step: RefundStep, refundId: string) => Promise<void>;

export type RunOutcome = { row: RefundRow } | { refused: DomainError };

/**
 * Alipay's sub_codes that say "not now" rather than "no": the same request may succeed later.
 * (ACQ.SELLER_BALANCE_NOT_ENOUGH: the merchant's Alipay account lacks the money until topped up.)
 */
const RETRYABLE_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'aop.ACQ.SYSTEM_ERROR', 'isp.unknow-error', 'ACQ.SELLER_BALANCE_NOT_ENOUGH', 'TRANSPORT']);

const MAX_BACKOFF_MS = 30_000;

/** Alipay refused the refund for good: it ends FAILED with this reason. */
class RefusedByAlipay extends Error {}

/** Runs the refund's steps not done yet. The caller holds its lease (it created or claimed it). */
export async function runRefund(deps: RefundRunnerDeps, refundId: string, hook?: StepHook): Promise<RunOutcome> {
  const { refunds, logger } = deps;
  let row = await refunds.find(refundId);
  if (!row || row.status !== 'PENDING') return { row: row! };
  const log = logger.child({ refundId, orderId: row.order_id });
  try {
    if (!row.held_at) {
      const refused = await holdStep(deps, row);
      if (refused) return refused;
      row = (await refunds.find(refundId))!;
    }
    if (needs(row, 'alipay')) await alipayStep(deps, row);
    await hook?.('alipay', row.id);
    if (needs(row, 'balance')) await step(deps, row, 'balance', () => refundBalance(deps, row!));
    await hook?.('balance', row.id);
    if (needs(row, 'points'))
      await step(deps, row, 'points', () =>
        deps.parties.deductPoints({ refundId: row!.id, orderId: row!.order_id, userId: row!.user_id, points: row!.points }),
      );
    if (needs(row, 'stock'))
      await step(deps, row, 'stock', () => deps.parties.returnStock({ refundId: row!.id, orderId: row!.order_id, lines: restockOf(row!) }));
    if (needs(row, 'coupon')) await step(deps, row, 'coupon', () => deps.parties.releaseCoupon(row!.order_id));
    await end(deps, row, 'SUCCEEDED', null);
    log.info({ amount: row.amount, kind: row.kind }, 'refund succeeded');
  } catch (error) {
    if (error instanceof RefusedByAlipay) {
      await end(deps, row, 'FAILED', error.message);
      log.error({ reason: error.message }, 'Alipay refused the refund for good; it FAILED');
    } else {
      const delayMs = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(row.attempts, 10));
      await refunds.postpone(row.id, delayMs, error instanceof Error ? error.message : String(error));
      log.warn({ err: error, retryInMs: delayMs }, 'refund step failed; it goes on later');
    }
  }
  return { row: (await refunds.find(refundId))! };
}

async function refundBalance(deps: RefundRunnerDeps, row: RefundRow): Promise<void> {
  // The planted defect (chaos harness only): the step is recorded done, the balance never comes back.
  if (isPlanted(PlantedDefects.REFUND_FORGETS_BALANCE)) return;
  await deps.parties.refundBalance({ orderId: row.order_id, userId: row.user_id, refundId: row.id, amount: row.balance_amount });
}

const restockOf = (row: RefundRow): RefundLine[] => JSON.parse(row.restock ?? '[]') as RefundLine[];

/** Whether the step is part of the refund's plan and not done yet. */
function needs(row: RefundRow, step: RefundStep): boolean {
  if (row[`${step}_done_at`]) return false;
  switch (step) {
    case 'alipay':
      return parseCents(row.alipay_amount)! > 0n;
    case 'balance':
      return parseCents(row.balance_amount)! > 0n;
    case 'points':
      return row.points !== '0';
    case 'stock':
      return restockOf(row).length > 0;
    case 'coupon':
      return row.release_coupon === 1;
  }
}

async function step(deps: RefundRunnerDeps, row: RefundRow, name: RefundStep, work: () => Promise<void>): Promise<void> {
  await work();
  await deps.refunds.markDone(undefined, row.id, name);
}

/**
 * Asks the order service for the plan. A refusal of a customer's refund leaves nothing behind
 * (the row goes: no money moved) and is answered; an after-sales refund waits while another
 * refund of the order runs, and otherwise ends FAILED (its request says so too).
 */
async function holdStep(deps: RefundRunnerDeps, row: RefundRow): Promise<RunOutcome | undefined> {
  const plan = await deps.parties.holdRefund({
    refundId: row.id,
    orderId: row.order_id,
    userId: row.kind === 'CUSTOMER' ? row.user_id : '',
    kind: row.kind === 'AFTER_SALES' ? 'AFTER_SALES' : 'CUSTOMER',
    amount: row.requested_amount,
    lines: JSON.parse(row.items ?? '[]') as RefundLine[],
    afterSalesId: row.after_sales_id ?? '',
  });
  if (!(plan instanceof DomainError)) {
    await deps.refunds.savePlan(row.id, plan);
    return undefined;
  }
  if (row.kind === 'CUSTOMER') {
    await deps.refunds.deleteUnheld(row.id);
    return { refused: plan };
  }
  if (plan.code === ErrorCode.REFUND_IN_PROGRESS) throw new Error(plan.message);
  await deps.store.transaction((tx) => deps.refunds.finish(tx, row.id, 'fail', plan.message));
  return { row: (await deps.refunds.find(row.id))! };
}

async function alipayStep(deps: RefundRunnerDeps, row: RefundRow): Promise<void> {
  const { alipay, refunds } = deps;
  const payment = row.payment_id ? await deps.store.findPayment(row.payment_id) : undefined;
  if (!payment) throw new Error(`refund ${row.id} has an Alipay part but no payment`);
  if (row.alipay_attempts > 0 && (await alipayDidIt(alipay, payment, row))) return recordAlipayPart(deps, row, payment);
  // Counted before the call: if its answer is lost (a crash, a timeout), the next runner asks first.
  await refunds.countAlipayAttempt(row.id);
  const result = await alipay
    .refund({ outTradeNo: payment.id, refundId: row.id, amount: row.alipay_amount, reason: row.reason.slice(0, 100) || 'refund' })
    .catch((error: unknown) => new AlipayRefusal('TRANSPORT', String(error)));
  if (result instanceof AlipayRefusal) {
    if (RETRYABLE_SUB_CODES.has(result.subCode)) throw new Error(`Alipay could not refund now: ${result.subCode} ${result.message}`);
    throw new RefusedByAlipay(`Alipay refused the refund: ${result.subCode} ${result.message}`);
  }
  await recordAlipayPart(deps, row, payment);
}

/** alipay.trade.fastpay.refund.query: whether Alipay made this refund already. */
async function alipayDidIt(alipay: PaymentGateway, payment: PaymentRow, row: RefundRow): Promise<boolean> {
  const known = await alipay.refundQuery({ outTradeNo: payment.id, refundId: row.id }).catch((error: unknown) => new AlipayRefusal('TRANSPORT', String(error)));
  if (known instanceof AlipayRefusal) throw new Error(`Alipay could not say whether it refunded: ${known.subCode}`);
  return known.found;
}

/** Stamps the Alipay part, and counts it in the payment (REFUNDED once all of it went back). */
async function recordAlipayPart(deps: RefundRunnerDeps, row: RefundRow, payment: PaymentRow): Promise<void> {
  const { store, refunds, ids } = deps;
  await store.transaction(async (tx) => {
    if (!(await refunds.markDone(tx, row.id, 'alipay'))) return;
    await store.addRefunded(tx, payment.id, row.alipay_amount);
    const now = (await store.findPayment(payment.id, tx))!;
    if (parseCents(now.refunded_amount) === parseCents(now.amount)) await store.transition(tx, payment.id, 'refundInFull');
    await store.log(tx, {
      id: ids.next(),
      paymentId: payment.id,
      orderId: payment.order_id,
      event: `REFUND ${row.id}`,
      amount: row.alipay_amount,
      detail: `${row.kind.toLowerCase()} refund through Alipay`,
    });
  });
}

/**
 * Ends the refund, announcing it to the order service in the same transaction (outbox), then
 * telling it at once as well: its hold ends now, and the customer's next refund of the order
 * need not wait for the message.
 */
async function end(deps: RefundRunnerDeps, row: RefundRow, status: 'SUCCEEDED' | 'FAILED', reason: string | null): Promise<void> {
  const { store, refunds, ids } = deps;
  const finished: PayRefundFinishedEvent = { refundId: row.id, orderId: row.order_id, status, reason: reason ?? '' };
  const announced = await store.transaction(async (tx) => {
    if (!(await refunds.finish(tx, row.id, status === 'SUCCEEDED' ? 'succeed' : 'fail', reason))) return false;
    // A rejected payment's refund has no hold at the order service: nobody to tell.
    if (row.kind === 'PAYMENT_REJECTED') return false;
    await store.enqueue(tx, ids.next(), refundFinished(finished));
    return true;
  });
  if (announced)
    await deps.parties
      .finishRefund(finished)
      .catch((error: unknown) => deps.logger.warn({ err: error, refundId: row.id }, 'order service not told at once; pay.refund-finished tells it'));
}
