/**
 * A refund is a recorded state machine that always finishes. Its row is written first (PENDING),
 * then its steps run in order, each idempotent by the refund id and stamped in the row when done:
 *
 *   hold     the order service checks the refund against the order's rules and answers the plan
 *            (amounts, points, stock, coupon); refused: nothing happened, the row goes
 *   alipay   the refund at the payment's channel (Alipay or WeChat Pay; the step's name is from
 *            when Alipay was the only one), its refund number = refund id; after a try, the
 *            channel's refund query first tells whether it made it. WeChat Pay answers PROCESSING
 *            until the money moved: the refund waits (postponed, woken by WeChat's REFUND.SUCCESS
 *            notification) and asks again
 *   balance  user.RefundBalance   points  user.DeductPoints
 *   stock    goods.ReturnStock    coupon  coupon.ReleaseCoupon (before shipment)
 *   finish   SUCCEEDED, with pay.refund-finished in the same transaction (the order's hold ends,
 *            and the refund completing the order makes it REFUNDED)
 *
 * The channel refusing for good, or its refund closing or failing (before anything else moved),
 * ends it FAILED with the reason. Any other trouble (a service down, the channel failing, silent
 * or still processing) postpones it with a growing back-off; the
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
  ChannelRefusal,
  type ChannelRefundState,
  type PaymentChannels,
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
  channels: PaymentChannels;
  parties: RefundParties;
  logger: Logger;
  /** How long a runner may hold a refund before another may take it over. */
  leaseMs: number;
}

/** Test-only (fault injection): runs after a step, may throw or never return. */
export type StepHook = (step: RefundStep, refundId: string) => Promise<void>;

export type RunOutcome = { row: RefundRow } | { refused: DomainError };

const MAX_BACKOFF_MS = 30_000;

/** The channel refused the refund for good (or it closed there): it ends FAILED with this reason. */
class RefusedByChannel extends Error {}

/** The channel took the refund and is still moving the money (WeChat Pay's PROCESSING): wait for it. */
class ChannelProcessing extends Error {}

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
    if (error instanceof RefusedByChannel) {
      await end(deps, row, 'FAILED', error.message);
      log.error({ reason: error.message }, 'the channel refused the refund for good; it FAILED');
    } else {
      const delayMs = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(row.attempts, 10));
      // A refund waiting on its channel may be woken early by the channel's notification (refunds.wake).
      await refunds.postpone(row.id, delayMs, error instanceof Error ? error.message : String(error), error instanceof ChannelProcessing);
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

/**
 * The part that goes back through the payment's channel. After a first try, the channel is asked
 * whether it made the refund (the answer may have been lost, or it was PROCESSING); a refund it
 * never made is asked for again under the same number, which the channel makes at most once.
 */
async function alipayStep(deps: RefundRunnerDeps, row: RefundRow): Promise<void> {
  const { refunds } = deps;
  const payment = row.payment_id ? await deps.store.findPayment(row.payment_id) : undefined;
  if (!payment) throw new Error(`refund ${row.id} has a channel part but no payment`);
  const channel = deps.channels.of(payment.channel);
  const transport = (error: unknown) => new ChannelRefusal('RETRY', 'TRANSPORT', String(error));
  if (row.alipay_attempts > 0) {
    const known = await channel.refundQuery({ outTradeNo: payment.id, refundId: row.id }).catch(transport);
    if (known instanceof ChannelRefusal) {
      if (known.kind !== 'NOT_FOUND') throw new Error(`${channel.title} could not say whether it refunded: ${known.code}`);
    } else return settleChannelPart(deps, row, payment, channel.title, known);
  }
  // Counted before the call: if its answer is lost (a crash, a timeout), the next runner asks first.
  await refunds.countAlipayAttempt(row.id);
  const result = await channel
    .refund({ outTradeNo: payment.id, refundId: row.id, amount: row.alipay_amount, total: payment.amount, reason: row.reason.slice(0, 80) || 'refund' })
    .catch(transport);
  if (result instanceof ChannelRefusal) {
    if (result.kind === 'RETRY') throw new Error(`${channel.title} could not refund now: ${result.code} ${result.message}`);
    throw new RefusedByChannel(`${channel.title} refused the refund: ${result.code} ${result.message}`);
  }
  await settleChannelPart(deps, row, payment, channel.title, result);
}

/** The channel's word on the refund: done (recorded), still processing (wait), or failed for good. */
async function settleChannelPart(deps: RefundRunnerDeps, row: RefundRow, payment: PaymentRow, title: string, state: ChannelRefundState): Promise<void> {
  if (state.state === 'SUCCEEDED') return recordAlipayPart(deps, row, payment);
  if (state.state === 'PROCESSING') throw new ChannelProcessing(`waiting for ${title} to finish the refund (PROCESSING)`);
  throw new RefusedByChannel(`${title}: ${state.reason}`);
}

/** Stamps the channel part, and counts it in the payment (REFUNDED once all of it went back). */
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
      detail: `${row.kind.toLowerCase()} refund through ${payment.channel}`,
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
