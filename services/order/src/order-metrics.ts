/**
 * The order service's business counters (served with every other metric on its admin port):
 *
 *   shop_order_transitions_total{move, to}        order status changes committed, by move (order-status.ts)
 *                                                  and the status reached: orders placed are
 *                                                  move="confirm" or "payInFull"; cancelled ones
 *                                                  to="CANCELLED", the move being the reason
 *                                                  (failPlacement, abandon, cancel, expire); paid
 *                                                  move="pay"; refunded to="REFUNDED"
 *   shop_order_placements_total{outcome, code}    placement requests answered: outcome confirmed,
 *                                                  paid_in_full, cancelled (cancelled while being
 *                                                  placed) or refused, with the refusal's error code
 *                                                  (INSUFFICIENT_STOCK, COUPON_UNAVAILABLE...; "" otherwise).
 *                                                  A request repeated with its Idempotency-Key is
 *                                                  answered, and counted, again
 *
 * Both label sets are bounded (the moves, the statuses, the error codes).
 */
import { DomainError } from '@shop/common/errors';
import { hotCounter, incAfterCommit, type CommitHooks } from '@shop/common/metrics';
import { orderMachine, type OrderMove } from './domain/order-status';
import type { OrderView } from './domain/order-view';

const transitions = hotCounter('shop_order_transitions_total', 'Order status changes committed, by move and status reached', ['move', 'to']);
const placements = hotCounter('shop_order_placements_total', 'Order placement requests answered, by outcome and refusal code', ['outcome', 'code']);

/** Counts the move once `transaction` commits (the store calls it where the move's UPDATE took). */
export function countOrderMove(transaction: CommitHooks | undefined, move: OrderMove): void {
  incAfterCommit(transaction, transitions.slot(move, orderMachine.moves[move].to));
}

const PLACED_OUTCOMES: Partial<Record<OrderView['status'], string>> = { CONFIRMED: 'confirmed', PAID: 'paid_in_full', CANCELLED: 'cancelled' };

/** Counts a placement's answer, and passes it on. */
export function countPlacement<T extends OrderView | DomainError>(answer: T): T {
  if (answer instanceof DomainError) placements.slot('refused', answer.code).inc();
  else placements.slot(PLACED_OUTCOMES[answer.status] ?? answer.status.toLowerCase(), '').inc();
  return answer;
}
