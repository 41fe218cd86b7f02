/**
 * How long after an outage the system takes orders again: places an order through order-web
 * every 500 ms until one is accepted, printing each new refusal and the time to the first
 * success. Used to measure recovery after restarting the infrastructure under running services:
 *
 *   npm run up && bash deploy/local/infra.sh down && sleep 70 && bash deploy/local/infra.sh up \
 *     && npx tsx scripts/recovery-probe.ts
 */
import { adminLogin, newCustomer, newGoods, placeOrder } from '../web/order-web/test/support/shop-api';
void (async () => {
  const admin = (await adminLogin()).token;
  const goodsId = await newGoods(admin, '1.00', 1000);
  const customer = await newCustomer(admin);
  const started = Date.now();
  let failures = 0;
  const messages = new Set<string>();
  for (;;) {
    const placed = await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] });
    if (placed.status === 201) break;
    failures++;
    const seen = `${placed.status} ${placed.body.code} ${placed.body.message}`;
    if (!messages.has(seen)) console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${seen}`);
    messages.add(seen);
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`first order after ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures} refused`);
  process.exit(0);
})();
