/**
 * Defects planted on purpose, to prove that the chaos harness has teeth: with one of them on, a
 * chaos run must report the invariant it breaks (tools/chaos, `CHAOS_PLANT`). Read from
 * SHOP_PLANTED_DEFECT, and only where fault injection is allowed (never in production: a
 * process refuses to start with it there, see @shop/common/service).
 */
import { isPlantedDefect } from '@shop/common/service';

export const PlantedDefects = {
  /** The goods release gives back the stock without recording the release: a repeat gives it back again. */
  RELEASE_SKIPS_LOG: 'release-skips-log',
  /** A refund skips its balance step and records it done: the balance part is never given back. */
  REFUND_FORGETS_BALANCE: 'refund-forgets-balance',
  /** The order takes a payment that arrives after its cancellation (instead of rejecting it): money kept for a cancelled order. */
  PAYMENT_KEPT_FOR_CANCELLED_ORDER: 'payment-kept-for-cancelled-order',
  /** A notification is applied to a payment already paid, announcing it again with a key of its own: points given twice. */
  NOTIFY_APPLIED_TWICE: 'notify-applied-twice',
} as const;

export type PlantedDefect = (typeof PlantedDefects)[keyof typeof PlantedDefects];

export function isPlanted(defect: PlantedDefect): boolean {
  return isPlantedDefect(defect);
}
