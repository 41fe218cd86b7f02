/**
 * Two instances of every process (what `npm run test:replicas` runs the whole suite on), in a
 * short version for every `npm test`: the second instances started beside the running system,
 * then `bench:replicas` for 20 s at concurrency 8 through both order-web instances, with one
 * instance of each service and of order-web SIGKILLed a third of the way in and started again
 * after the load. The bench checks the books itself (stock and balance against the live orders,
 * every CONFIRMED answer a live order or one its pay deadline cancelled, nothing PENDING); this
 * spec reads its figures. Afterwards the system runs as many instances as before.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const RUN_DIR = join(process.env.SHOP_VAR_DIR ?? join(ROOT, 'var'), 'run');
const REPORT = join(ROOT, 'reports/replicas.json');
/** What system.sh wrote of the running system: its profile, and how many instances of each process. */
const runningSystem = (file: string) => readFileSync(join(RUN_DIR, file), 'utf8').trim();

interface ReplicasFigures {
  confirmed: number;
  failed: number;
  inFlightAtKill: number;
  rerouted: number;
  booksBalancedAfterMs?: number;
  violations: string[];
}

describe('replicas: two instances of every process, one of each SIGKILLed under orders (a short bench:replicas)', function () {
  this.timeout(360_000);
  let profile: string;
  let replicasBefore: number;

  const systemUp = (replicas: number) =>
    exec('bash', [join(ROOT, 'deploy/local/system.sh'), 'up'], {
      env: { ...process.env, SHOP_PROFILE: profile, SHOP_REPLICAS: String(replicas) },
      maxBuffer: 16 * 1024 * 1024,
    });

  before(async () => {
    profile = runningSystem('profile');
    replicasBefore = Number(runningSystem('replicas'));
    await systemUp(2);
  });

  after(async () => {
    if (profile && replicasBefore !== 2) await systemUp(replicasBefore);
  });

  it('loses no order beyond the requests in flight at the kill, and the books balance', async () => {
    rmSync(REPORT, { force: true });
    const run = await exec('npx', ['tsx', 'scripts/bench/replicas-bench.ts'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SECONDS: '20', BENCH_CONCURRENCY: '8', SHOP_REPLICAS: '2' },
      maxBuffer: 16 * 1024 * 1024,
    }).then(
      (done) => ({ code: 0, output: done.stdout + done.stderr }),
      (failed: { code?: number; stdout?: string; stderr?: string }) => ({ code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` }),
    );
    const figures = JSON.parse(readFileSync(REPORT, 'utf8')) as ReplicasFigures;
    assert.deepEqual(figures.violations.slice(0, 10), [], run.output.slice(-3000));
    assert.ok(figures.failed <= figures.inFlightAtKill, `${figures.failed} requests failed, ${figures.inFlightAtKill} were in flight at the kill`);
    assert.ok(figures.confirmed >= 50, `only ${figures.confirmed} orders confirmed in 20 s`);
    assert.ok(figures.rerouted > 0, 'the killed order-web refused connections, and they went to the other');
    assert.notEqual(figures.booksBalancedAfterMs, undefined, 'the books balanced');
    assert.equal(run.code, 0, run.output.slice(-3000));
  });
});
