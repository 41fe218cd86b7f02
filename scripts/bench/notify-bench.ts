/**
 * npm run bench:notify: Alipay notifications handled by pay-web (HTTP form -> pay service over
 * gRPC -> RSA2 verification with alipay-sdk, app id, trade and amount checks, "only if unpaid"
 * update + outbox row), next to the raw RSA2 verification rate of this machine measured in the
 * same run (node:crypto, one verification per call, as the baseline of what a notify must cost).
 *
 * 64 orders are placed and given payments through the API; each notification is a genuine one
 * (signed with the local gateway's key). The first notification of a payment applies it, the
 * rest are the duplicates Alipay sends in real life. Needs the system (`npm run up`).
 * Settings: BENCH_SECONDS per row (default 10), BENCH_CONCURRENCY (default "1,16,64"),
 * BENCH_IDLE_SECONDS (default 5: the rest taken off each process's CPU in the cost tables).
 * Like bench:orders it prints what one notification cost each process (lib/process-metrics.ts).
 */
import { createPublicKey, createVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { rsa2Sign, signContent } from '../../web/alipay-gateway/src/rsa2';
import { adminLogin, newGoods, placeOrder } from '../../web/order-web/test/support/shop-api';
import { signUpCustomers } from './lib/customers';
import { loadInfraConfig } from '@shop/common/config';
import { LoadClient, ownCpu } from './lib/http-load';
import { measure, table, writeReport, type Result } from './lib/measure';
import { costTable, metricsEndpoints, phaseCost, snapshotAfter, snapshotBefore, type PhaseCost } from './lib/process-metrics';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const PAY_WEB = `http://127.0.0.1:${process.env.PAY_WEB_PORT ?? 7002}`;
const KEYS = process.env.ALIPAY_KEYS_DIR ?? join(__dirname, '../../var/alipay');
const APP_ID = process.env.ALIPAY_APP_ID ?? '2021000000000001';
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);

async function main(): Promise<void> {
  const gatewayKey = readFileSync(join(KEYS, 'alipay-private-key.pem'), 'utf8');
  const alipayPublicKey = readFileSync(join(KEYS, 'alipay-public-key.pem'), 'utf8');
  const admin = (await adminLogin()).token;
  const goodsId = await newGoods(admin, '10.00', 10_000);
  const forms: Record<string, string>[] = [];
  const { customers } = await signUpCustomers(admin, 64);
  for (const [i, customer] of customers.entries()) {
    const order = (await placeOrder(customer.token, { items: [{ goodsId, quantity: 1 }] })).body;
    const response = await fetch(`${PAY_WEB}/api/v1/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: order.orderId, channel: 'ALIPAY_QR' }),
    });
    const payment = (await response.json()) as { paymentId: string; amount: string };
    const fields = {
      notify_time: '2026-11-22 12:00:00',
      notify_type: 'trade_status_sync',
      notify_id: `bench${i}`,
      app_id: APP_ID,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_no: `2026112222001${String(i).padStart(6, '0')}`,
      out_trade_no: payment.paymentId,
      trade_status: 'TRADE_SUCCESS',
      total_amount: payment.amount,
    };
    forms.push({ ...fields, sign: rsa2Sign(signContent(fields, ['sign', 'sign_type']), gatewayKey) });
  }
  let next = 0;
  const payWeb = new LoadClient(PAY_WEB);
  const bodies = forms.map((form) => new URLSearchParams(form).toString());
  const notify = async () => {
    const reply = await payWeb.send('POST', '/api/v1/notify/alipay', bodies[next++ % bodies.length], { 'content-type': 'application/x-www-form-urlencoded' });
    if (reply.text !== 'success') throw new Error(`notify answered ${reply.status} ${reply.text}`);
  };
  const content = signContent(forms[0]!, ['sign', 'sign_type']);
  const verify = async () => {
    if (!createVerify('RSA-SHA256').update(content, 'utf8').verify(alipayPublicKey, forms[0]!.sign!, 'base64')) throw new Error('verification failed');
  };
  // What the pay service does since 2026-12-07: the key parsed once (alipay-client.ts). Most of a
  // verification from PEM text is parsing the PEM; the ratio issue 16 set is to the row above.
  const parsedKey = createPublicKey(alipayPublicKey);
  const verifyParsed = async () => {
    if (!createVerify('RSA-SHA256').update(content, 'utf8').verify(parsedKey, forms[0]!.sign!, 'base64')) throw new Error('verification failed');
  };

  const { endpoints, problems } = await metricsEndpoints(loadInfraConfig().zookeeper.connect);
  for (const problem of problems) console.warn(problem);
  const atRest = await snapshotBefore(endpoints);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1_000));
  const idle = { before: atRest, after: await snapshotAfter(endpoints) };

  await measure('warmup', 8, 2_000, notify);
  const results: Result[] = [];
  const costs: { concurrency: number; cost: PhaseCost; clientMs: number }[] = [];
  for (const concurrency of LEVELS) {
    // Only the notifications are inside the window; the baseline runs in this process.
    const before = await snapshotBefore(endpoints);
    const spent = ownCpu();
    const notifications = await measure('notify via pay-web', concurrency, SECONDS * 1_000, notify);
    const clientMs = spent() / (notifications.calls + notifications.errors);
    costs.push({ concurrency, cost: phaseCost(before, await snapshotAfter(endpoints), notifications.calls + notifications.errors, idle), clientMs });
    results.push(notifications);
    results.push(await measure('raw RSA2 verify (node:crypto)', concurrency, (SECONDS * 1_000) / 2, verify));
    results.push(await measure('raw RSA2 verify, key parsed once', concurrency, (SECONDS * 1_000) / 2, verifyParsed));
    console.log(table(results.slice(-3)));
    console.log(`\ncost per notification at concurrency ${concurrency}:\n${costTable(costs.at(-1)!.cost, 'notification')}\n${clientLine(clientMs)}\n`);
  }
  const markdown = [
    `# bench:notify (${new Date().toISOString()})`,
    '',
    `Genuine Alipay notifications for 64 payments posted to pay-web, ${SECONDS} s per level; raw RSA2 verification ${SECONDS / 2} s at the same concurrency, in the same run: from the PEM text, as alipay-sdk does by default (the baseline of issue 16), and with the key parsed once, as the pay service does.`,
    `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; the whole system runs on this machine.`,
    '',
    table(results),
    '',
    '## Cost per notification',
    '',
    `As in bench:orders: CPU from /proc less what each process burns at rest (${IDLE_SECONDS} s measured first), counts from the processes' metrics.`,
    '',
    ...costs.flatMap(({ concurrency, cost, clientMs }) => [
      `### Concurrency ${concurrency}: ${cost.units} notifications in ${cost.seconds.toFixed(1)} s`,
      '',
      costTable(cost, 'notification'),
      '',
      clientLine(clientMs),
      '',
    ]),
  ].join('\n');
  console.log(markdown);
  console.log(`report: ${writeReport('bench-notify', markdown, { results, costs })}`);
  payWeb.close();
}

const clientLine = (ms: number) => `The load generator (this bench's process, not in the table): ${ms.toFixed(2)} ms of CPU per notification.`;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
