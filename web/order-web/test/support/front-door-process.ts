/**
 * A front door from the build (web/<name>/dist/main.js) started as a process of its own, with
 * the environment a spec chooses, beside the running system: for the specs that prove how a
 * front door behaves as configured in production or with its default limits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export type FrontDoorName = 'order-web' | 'pay-web';

/**
 * Spawns the front door with `env` (the whole environment: start from process.env to keep the
 * stack's addresses) and waits until `http://127.0.0.1:<port><readyPath>` answers 200; fails
 * with the process's stderr if it exits first or takes more than 30 s.
 */
export async function spawnFrontDoor(name: FrontDoorName, env: NodeJS.ProcessEnv, options: { port: number; readyPath?: string }): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, `../../../${name}/dist/main.js`)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${options.port}${options.readyPath ?? '/readyz'}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(url).catch(() => undefined);
    if (ready?.status === 200) return child;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`${name} did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The port variable of a front door (ORDER_WEB_PORT), and of its admin listener (ORDER_WEB_ADMIN_PORT). */
export const portVariable = (name: FrontDoorName, admin = false) => `${name.toUpperCase().replace(/-/g, '_')}${admin ? '_ADMIN' : ''}_PORT`;
