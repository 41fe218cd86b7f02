/**
 * After the load: the faults are lifted (every process running, the gateway behaving), then the
 * system is given time to finish what it started (deadlines, refunds, releases, messages) until
 * nothing of the run is in flight. How long that takes is one of the run's figures.
 */
import type { Client } from './client';
import type { ChaosConfig } from './config';
import type { Fixture } from './fixtures';
import { FRONT_DOORS, GATEWAYS, infraUp, pidOf, SERVICES, signal, startProcess } from './processes';
import { consumedKey, type Snapshot, type SnapshotReader } from './snapshot';

/** What is still in flight; empty when the run has settled. */
export function inFlight(snapshot: Snapshot): string[] {
  const open: string[] = [];
  const count = (what: string, n: number) => n > 0 && open.push(`${n} ${what}`);
  count('orders PENDING or CONFIRMED', snapshot.orders.filter((order) => order.status === 'PENDING' || order.status === 'CONFIRMED').length);
  count('refunds PENDING', snapshot.refunds.filter((refund) => refund.status === 'PENDING').length);
  count('refund holds OPEN', snapshot.holds.filter((hold) => hold.status === 'OPEN').length);
  count('outbox rows unsent', snapshot.unsentOutbox.length);
  const cancelled = snapshot.orders.filter((order) => order.status === 'CANCELLED');
  count(
    'cancelled orders not released everywhere',
    cancelled.filter((order) =>
      ['shop-goods', 'shop-coupon', 'shop-user', 'shop-pay'].some((group) => !snapshot.consumed.has(consumedKey(group, 'order.cancelled', order.id))),
    ).length,
  );
  const paid = snapshot.orders.filter((order) => ['PAID', 'SHIPPED', 'COMPLETED', 'REFUNDED'].includes(order.status));
  count('paid orders whose points are not added', paid.filter((order) => !snapshot.consumed.has(consumedKey('shop-user', 'order.paid', order.id))).length);
  count('payments UNPAID', snapshot.payments.filter((payment) => payment.status === 'UNPAID').length);
  const taken = snapshot.payments.filter((payment) => payment.status === 'PAID' || payment.status === 'REFUNDED');
  count(
    'payments whose pay.succeeded is not consumed everywhere',
    taken.filter((payment) => ['shop-order', 'shop-pay'].some((group) => !snapshot.consumed.has(consumedKey(group, 'pay.succeeded', payment.id)))).length,
  );
  const cancelledIds = new Set(cancelled.map((order) => order.id));
  count(
    'payments of cancelled orders not refunded yet',
    snapshot.payments.filter((payment) => payment.status === 'PAID' && cancelledIds.has(payment.order_id)).length,
  );
  // A second payment of an order paid through another (a switch of channel, both QR codes paid).
  const tookOther = new Map(paid.filter((order) => order.payment_id).map((order) => [order.id, order.payment_id]));
  count(
    'payments of orders that took another not refunded yet',
    snapshot.payments.filter((payment) => payment.status === 'PAID' && tookOther.has(payment.order_id) && tookOther.get(payment.order_id) !== payment.id)
      .length,
  );
  return open;
}

/** What must no longer move once the run has settled: every balance, point, unit and coupon. */
function holdings(snapshot: Snapshot): string {
  return JSON.stringify([snapshot.users, snapshot.goods, snapshot.coupons, snapshot.payments.map((p) => [p.id, p.status, p.refunded_amount])]);
}

/** The quiet period: nothing in flight must also mean nothing still moving (a late message). */
const QUIET_MS = 5_000;

/** Every process up again, the gateway's faults and notification switch cleared. */
export async function liftFaults(client: Client, config: ChaosConfig): Promise<void> {
  // A frozen process thaws (a run cut short may have left one stopped).
  for (const name of [...SERVICES, ...FRONT_DOORS] as const) signal(name, 'SIGCONT');
  await infraUp();
  for (const name of [...SERVICES, ...FRONT_DOORS, ...GATEWAYS] as const) if (pidOf(name) === undefined) await startProcess(name, config.plant);
  for (const gateway of [config.gateway, config.wechatGateway]) {
    await client.once('DELETE', `${gateway}/sandbox/faults`, { route: 'chaos control' });
    await client.once('POST', `${gateway}/sandbox/notifications`, { json: { mode: 'normal' }, route: 'chaos control' });
  }
}

/** Polls until nothing is in flight; answers the last snapshot and how long it took. */
export async function settle(
  reader: SnapshotReader,
  fixture: Fixture,
  client: Client,
  config: ChaosConfig,
): Promise<{ snapshot: Snapshot; settledInMs: number; settled: boolean; open: string[] }> {
  const began = Date.now();
  let last = '';
  for (;;) {
    const snapshot = await reader.read(fixture, client, config);
    const open = inFlight(snapshot);
    const elapsed = Date.now() - began;
    if (open.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      const later = await reader.read(fixture, client, config);
      if (inFlight(later).length === 0 && holdings(later) === holdings(snapshot)) return { snapshot: later, settledInMs: elapsed, settled: true, open };
      console.log('[chaos] settling: holdings still moved during the quiet period');
      continue;
    }
    if (elapsed > config.settleTimeoutMs) return { snapshot, settledInMs: elapsed, settled: false, open };
    const line = open.join(', ');
    if (line !== last) console.log(`[chaos] settling (${Math.round(elapsed / 1000)} s): ${line}`);
    last = line;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
