/**
 * Writes Prometheus' file_sd targets of the shop (deploy/observability/prometheus.yml reads
 * them): every gRPC service found in ZooKeeper at its admin port, and the front doors' admin
 * listeners. Prometheus re-reads the file when it changes, so running this again (by hand, from
 * cron, or with --every) is all it takes to follow processes that come and go.
 *
 *   npm run observability:targets [-- --out <file>] [-- --every <seconds>]
 *
 * Reads ZK_CONNECT (127.0.0.1:2181; reading the registry needs no digest: anyone may read), and SCRAPE_FRONT_DOORS
 * ("order-web=127.0.0.1:7101,pay-web=127.0.0.1:7102" by default: ADMIN_HOST with
 * ORDER_WEB_ADMIN_PORT and PAY_WEB_ADMIN_PORT, as the local stack fixes them).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ZkSession } from '../../common/src/zk';
import { fileSd, frontDoorTargets, serviceTargets } from './lib/scrape-targets';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: resolve(__dirname, '../../deploy/observability/targets/shop.json') },
    every: { type: 'string' },
  },
});

const host = process.env.ADMIN_HOST ?? '127.0.0.1';
const frontDoors =
  process.env.SCRAPE_FRONT_DOORS ?? `order-web=${host}:${process.env.ORDER_WEB_ADMIN_PORT ?? 7101},pay-web=${host}:${process.env.PAY_WEB_ADMIN_PORT ?? 7102}`;

async function writeOnce(): Promise<void> {
  const session = await ZkSession.open({ connect: process.env.ZK_CONNECT ?? '127.0.0.1:2181', connectTimeoutMs: 10_000 });
  let found: Awaited<ReturnType<typeof serviceTargets>>;
  try {
    found = await serviceTargets(session);
  } finally {
    session.close();
  }
  const targets = [...found.targets, ...frontDoorTargets(frontDoors)];
  mkdirSync(dirname(values.out), { recursive: true });
  // Written aside and renamed: Prometheus never reads half a file.
  writeFileSync(`${values.out}.tmp`, `${JSON.stringify(fileSd(targets), null, 2)}\n`);
  renameSync(`${values.out}.tmp`, values.out);
  for (const problem of found.missing) console.warn(`skipped: ${problem}`);
  console.log(`${targets.length} targets (${found.targets.length} from ZooKeeper) written to ${values.out}`);
}

async function main(): Promise<void> {
  await writeOnce();
  if (values.every === undefined) return;
  const seconds = Number(values.every);
  if (!(seconds >= 1)) throw new Error('--every takes a number of seconds, at least 1');
  for (;;) {
    await new Promise((done) => setTimeout(done, seconds * 1000));
    await writeOnce().catch((error: unknown) => console.error(`targets not refreshed: ${(error as Error).message}`));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
