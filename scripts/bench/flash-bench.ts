/**
 * npm run bench:flash: a flash sale. One goods with FLASH_UNITS (1,000) units, FLASH_ATTEMPTS
 * (10,000) orders of one unit at FLASH_CONCURRENCY (200) from FLASH_BUYERS (200) customers
 * (sign-ups hash passwords with scrypt: ten thousand accounts would take minutes of set-up, and
 * who buys does not change the contention on the one stock row). Checks, in the databases and
 * in the answers, that exactly FLASH_UNITS orders were confirmed and every other attempt was
 * refused with INSUFFICIENT_STOCK, stock 0, never below; then measures ordinary orders
 * (16 goods, plenty of stock) at the same concurrency in the same run, for the ratio.
 */
import { cpus } from 'node:os';
import { QueryTypes } from 'sequelize';
import { loadInfraConfig, SCHEMA_PREFIX } from '../../common/src/config';
import { openDatabase } from '../../common/src/db';
import { adminLogin, call, newGoods } from '../../web/order-web/test/support/shop-api';
import { signUpCustomers } from './lib/customers';
import { measure, table, writeReport, type Result } from './lib/measure';

const UNITS = Number(process.env.FLASH_UNITS ?? 1_000);
const ATTEMPTS = Number(process.env.FLASH_ATTEMPTS ?? 10_000);
const CONCURRENCY = Number(process.env.FLASH_CONCURRENCY ?? 200);
const BUYERS = Number(process.env.FLASH_BUYERS ?? 200);
const ORDERS_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** The schemas of the running system (the profile `npm run up` started: development unless SHOP_SCHEMA_PREFIX says). */
const SCHEMAS = process.env.SHOP_SCHEMA_PREFIX ?? SCHEMA_PREFIX.development;

type Outcome = 'CONFIRMED' | 'INSUFFICIENT_STOCK' | string;

async function main(): Promise<void> {
  const admin = (await adminLogin()).token;
  const flashGoods = await newGoods(admin, '1.00', UNITS);
  const everyday = await Promise.all(Array.from({ length: 16 }, () => newGoods(admin, '10.00', 10_000_000)));
  const { customers } = await signUpCustomers(admin, BUYERS);
  console.log(`${BUYERS} buyers, one goods of ${UNITS} units, ${ATTEMPTS} attempts at concurrency ${CONCURRENCY}`);

  const order = (i: number, goodsId: string, key?: string) =>
    call('POST', '/api/v1/orders', {
      token: customers[i % customers.length]!.token,
      json: { items: [{ goodsId, quantity: 1 }], address: '1 Flash Street', consignee: 'Buyer' },
      headers: key ? { 'idempotency-key': key } : {},
    });
  /**
   * One buyer's attempt as a real client makes it: with an Idempotency-Key, asked again after a
   * 503 or no answer (the placement may have gone on after the front door gave up), until the
   * answer is an order or a refusal. Every attempt ends known, so the tally can be exact.
   */
  const attempt = async (i: number) => {
    const key = `flash-${flashGoods}-${i}`;
    for (let tries = 1; ; tries++) {
      const reply = await order(i, flashGoods, key).catch(() => ({ status: 0, body: {} as Record<string, string> }));
      if ((reply.status !== 503 && reply.status !== 0) || tries === 20) return { reply, tries };
      retried++;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  let retried = 0;

  // The sale: every attempt is one request; the answers are tallied, latencies kept.
  const outcomes = new Map<Outcome, number>();
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < ATTEMPTS; i = next++) {
        const t = process.hrtime.bigint();
        const { reply } = await attempt(i);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        const outcome = reply.status === 201 ? reply.body.status : (reply.body?.code ?? `HTTP ${reply.status}`);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  const sale: Result = {
    name: `flash sale (${UNITS} units)`,
    concurrency: CONCURRENCY,
    calls: latencies.length,
    errors: ATTEMPTS - (outcomes.get('CONFIRMED') ?? 0) - (outcomes.get('INSUFFICIENT_STOCK') ?? 0),
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };

  // What the databases say, not only the answers.
  const db = await openDatabase({ ...loadInfraConfig().mysql, poolMax: 1 }, `${SCHEMAS}goods`);
  const [goodsRow] = await db.query<{ stock: number; taken: string | null; released: string | null; orders: number }>(
    `SELECT g.stock,
            (SELECT SUM(quantity) FROM goods_number_log WHERE goods_id = g.id AND status = 'TAKEN') AS taken,
            (SELECT SUM(quantity) FROM goods_number_log WHERE goods_id = g.id AND status = 'RELEASED') AS released,
            (SELECT COUNT(*) FROM goods_number_log WHERE goods_id = g.id) AS orders
     FROM goods g WHERE g.id = ?`,
    { replacements: [flashGoods], type: QueryTypes.SELECT },
  );
  const [confirmedRow] = await db.query<{ orders: number }>(
    `SELECT COUNT(DISTINCT o.id) AS orders FROM ${SCHEMAS}order.\`order\` o JOIN ${SCHEMAS}order.order_item i ON i.order_id = o.id
     WHERE i.goods_id = ? AND o.status = 'CONFIRMED'`,
    { replacements: [flashGoods], type: QueryTypes.SELECT },
  );
  await db.close();
  // Orders left unpaid past their deadline give their unit back (in the test profile the
  // deadline is 20 s), and it may be sold again: each confirmation is still one unit taken, and
  // the units held plus the stock are always the sale's. With no order expired, exactly UNITS.
  const confirmed = outcomes.get('CONFIRMED') ?? 0;
  const held = Number(goodsRow?.taken ?? 0);
  const released = Number(goodsRow?.released ?? 0);
  const exact =
    sale.errors === 0 &&
    goodsRow !== undefined &&
    goodsRow.stock + held === UNITS &&
    Number(goodsRow.orders) === confirmed &&
    confirmed - released === held &&
    (released > 0 || (confirmed === UNITS && goodsRow.stock === 0));

  let i = 0;
  const ordinary = await measure('orders of goods in stock', CONCURRENCY, ORDERS_SECONDS * 1_000, async () => {
    const reply = await order(i, everyday[i++ % everyday.length]!);
    if (reply.status !== 201) throw new Error(`order failed: ${reply.status}`);
  });

  const markdown = [
    `# bench:flash (${new Date().toISOString()})`,
    '',
    `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; everything on this machine.`,
    '',
    `Answers: ${[...outcomes].map(([outcome, count]) => `${outcome} ${count}`).join(', ')} (${retried} asked again after a 503 or no answer, with the same Idempotency-Key).`,
    `Databases: stock ${goodsRow?.stock}, units held ${goodsRow?.taken}, units given back by orders unpaid past their deadline ${released}, CONFIRMED orders of the goods now ${confirmedRow?.orders}.`,
    `**${exact ? 'Exact' : 'NOT EXACT'}**: one unit per confirmation, never more than ${UNITS} held, every other attempt refused with INSUFFICIENT_STOCK${released ? ` (${released} units came back from orders unpaid past their deadline during the run: run with the development profile's 5 minutes to see exactly ${UNITS})` : ''}.`,
    '',
    table([sale, ordinary]),
    '',
    `Flash sale / ordinary orders at concurrency ${CONCURRENCY}: ${(sale.perSecond / ordinary.perSecond).toFixed(2)}x.`,
    '',
  ].join('\n');
  console.log(markdown);
  console.log(`report: ${writeReport('bench-flash', markdown, { outcomes: Object.fromEntries(outcomes), goodsRow, confirmedRow, sale, ordinary, exact })}`);
  if (!exact) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
