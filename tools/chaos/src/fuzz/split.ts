/**
 * The long fuzz run in half the time: `npm run fuzz` runs the order-web fuzzer and the pay-web
 * plus notify fuzzer at once, as two processes. Each builds a fixture of its own (its own users,
 * goods and orders) and digests only its own rows, so what one accepts is not a change the
 * other sees; most of either's time is spent waiting for the state to settle after an accepted
 * request, not on the CPU. Each has its own seed (FUZZ_SEED and FUZZ_SEED + 1), its own report,
 * and prints the command that replays it alone. Exits with the worse of the two exit codes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const base = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 30);
const halves = [
  { name: 'order-web', env: { FUZZ_DOORS: 'order-web', FUZZ_NOTIFY_FORMS: '0', FUZZ_SEED: String(base) } },
  { name: 'pay-web+notify', env: { FUZZ_DOORS: 'pay-web', FUZZ_SEED: String(base + 1) } },
];

function run(half: (typeof halves)[number]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'main.ts')], {
    env: { ...process.env, ...half.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => console.log(`[${half.name}] ${line}`));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 2 : 0))));
}

async function main(): Promise<void> {
  console.log(`fuzz: order-web with seed ${base}, pay-web and notify with seed ${base + 1}, at once`);
  const codes = await Promise.all(halves.map(run));
  process.exitCode = Math.max(...codes);
}

void main();
