/**
 * The pay.timeout check-back: the broker asks about a payment's half message until it is
 * resolved. Paid (here, or at Alipay: applied now) -> ROLLBACK: nothing to cancel. Still open
 * (before its deadline, or Alipay could not say) -> UNKNOWN: ask again later. Closed (at Alipay,
 * or never scanned and dead) -> COMMIT: the order service cancels the order and its
 * reservations are released.
 */
import type { ReceivedMessage, TransactionVerdict } from '@shop/common/mq';
import { settleUnpaid, type SettleDeps } from '../domain/payments';

export async function checkPaymentTimeout(deps: SettleDeps, message: ReceivedMessage): Promise<TransactionVerdict> {
  const paymentId = message.keys[0] ?? '';
  // The half message is sent after the payment row is written: no row, no payment.
  if (!/^\d{1,20}$/.test(paymentId) || !(await deps.store.findPayment(paymentId))) return 'ROLLBACK';
  const settled = await settleUnpaid(deps, paymentId);
  return settled === 'PAID' ? 'ROLLBACK' : settled === 'CLOSED' ? 'COMMIT' : 'UNKNOWN';
}
