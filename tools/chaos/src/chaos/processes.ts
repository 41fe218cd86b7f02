/**
 * The local system's processes, as deploy/local/system.sh and infra.sh run them (pid files in
 * SHOP_VAR_DIR/run, var/run by default): what the faults kill, freeze and bring back.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './config';

const run = promisify(execFile);
/** Where system.sh keeps its pid files: SHOP_VAR_DIR, as system.sh reads it. */
const RUN_DIR = path.join(process.env.SHOP_VAR_DIR ?? path.join(ROOT, 'var'), 'run');

export const SERVICES = ['goods', 'coupon', 'user', 'order', 'pay'] as const;
export const FRONT_DOORS = ['order-web', 'pay-web'] as const;
/** The local payment gateways: they stand for Alipay and WeChat Pay, and are never killed (their ledgers are the money's truth). */
export const GATEWAYS = ['alipay-gateway', 'wechatpay-gateway'] as const;
export type AppProcess = (typeof SERVICES)[number] | (typeof FRONT_DOORS)[number] | (typeof GATEWAYS)[number];
/** The standalone stack's pieces, and the cluster topology's other members (deploy/local/lib/cluster.sh). */
export type InfraProcess = 'proxy' | 'namesrv' | 'zookeeper' | 'mysql' | 'zookeeper-2' | 'zookeeper-3' | 'namesrv-2' | 'broker-a' | 'broker-b';

export function pidOf(name: AppProcess | InfraProcess): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(RUN_DIR, `${name}.pid`), 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export function signal(name: AppProcess | InfraProcess, sig: NodeJS.Signals): boolean {
  const pid = pidOf(name);
  if (pid === undefined) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts one process of the system if it is down, in the running profile, with the run's
 * planted defect if any; resolves once it is ready.
 */
export async function startProcess(name: AppProcess, plant: string): Promise<void> {
  // A process may fail to start while the infrastructure is down (its consumers cannot reach
  // RocketMQ): like a supervisor, try again until it is up.
  const until = Date.now() + 300_000;
  for (;;) {
    try {
      await run('bash', [path.join(ROOT, 'deploy/local/system.sh'), 'start', name], { env: { ...process.env, SHOP_PLANTED_DEFECT: plant }, timeout: 120_000 });
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

/** Resolves once the process runs (it may be restarting after another fault). */
export async function whenRunning(name: AppProcess, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (pidOf(name) === undefined) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return true;
}

/** Starts whatever piece of the infrastructure is down, and waits until each really answers. */
export async function infraUp(): Promise<void> {
  await run('bash', [path.join(ROOT, 'deploy/local/infra.sh'), 'up'], { timeout: 300_000 });
}

/**
 * The whole system in the test profile (deadlines the harness can wait for), with `env` for every
 * process, and seeded as `npm run up` seeds it (the first admin, whom the fixture logs in as: on
 * a fresh machine nobody else made her).
 */
export async function systemUp(env: NodeJS.ProcessEnv): Promise<void> {
  const options = { env: { ...process.env, SHOP_PROFILE: 'test', ...env }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 };
  await run('bash', [path.join(ROOT, 'deploy/local/system.sh'), 'up'], options);
  await run('bash', [path.join(ROOT, 'deploy/local/system.sh'), 'seed'], { ...options, env: { ...options.env, SEED_DEMO_GOODS: 'false' } });
}

/**
 * Stops every process of the shop (not the infrastructure, nor the payment gateways: the third
 * party keeps its trades, which live in its memory).
 */
export async function processesDown(): Promise<void> {
  for (const name of [...FRONT_DOORS, ...SERVICES] as const) {
    await run('bash', [path.join(ROOT, 'deploy/local/system.sh'), 'stop', name], { timeout: 60_000 });
  }
}

/**
 * The ensemble member that leads now, by its pid-file name (zookeeper, zookeeper-2, ...), as
 * each member of ZK_CONNECT answers `srvr`; undefined when none says it leads.
 */
export async function zookeeperLeader(): Promise<InfraProcess | undefined> {
  const members = (process.env.ZK_CONNECT ?? '127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183').split(',');
  const modes = await Promise.all(members.map((member) => srvrMode(member)));
  const index = modes.indexOf('leader');
  if (index < 0) return undefined;
  return (index === 0 ? 'zookeeper' : `zookeeper-${index + 1}`) as InfraProcess;
}

function srvrMode(member: string): Promise<string | undefined> {
  const [host = '127.0.0.1', port = '2181'] = member.split(':');
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ host, port: Number(port) }, () => socket.end('srvr'));
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(/^Mode: (\w+)/m.exec(answer)?.[1]));
    socket.on('error', () => resolve(undefined));
  });
}

/** Whether the stack started the MySQL it uses (only then may the harness restart it). */
export function stackOwnsMysql(): boolean {
  return pidOf('mysql') !== undefined;
}
