/**
 * The pay.timeout check-back: the broker asks about a payment's half message until it is
 * resolved. Paid (here, or at its channel: applied now) -> ROLLBACK: nothing to cancel. Still
 * open (before its deadline, or the channel could not say) -> UNKNOWN: ask again later. Closed
 * (at the channel, or never scanned and dead) -> COMMIT: the order service cancels the order and
 * its reservations are released. A payment replaced by another channel's no longer speaks for
 * the order: once settled, ROLLBACK (the new payment's own half message has the deadline).
 */
import type { ReceivedMessage, TransactionVerdict } from '@shop/common/mq';
import { settleUnpaid, type SettleDeps } from '../domain/payments';

export async function checkPaymentTimeout(deps: SettleDeps, message: ReceivedMessage): Promise<TransactionVerdict> {
  const paymentId = message.keys[0] ?? '';
  // The half message is sent after the payment row is written: no row, no payment.
  if (!/^\d{1,20}$/.test(paymentId) || !(await deps.store.findPayment(paymentId))) return 'ROLLBACK';
  const settled = await settleUnpaid(deps, paymentId);
  if (settled === 'OPEN') return 'UNKNOWN';
  // Read after settling: a switch of channel may have replaced it meanwhile.
  if (settled === 'PAID' || (await deps.store.findPayment(paymentId))?.superseded_at) return 'ROLLBACK';
  return 'COMMIT';
}
