/** Starts and stops echo providers (echo-provider.ts) as child processes. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

interface SessionInfo {
  sessionId: string;
  sessionPassword: string;
}

export class ProviderProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(zkConnect: string, env: Record<string, string> = {}): Promise<ProviderProcess> {
    const child = fork(join(__dirname, 'echo-provider.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ZK_CONNECT: zkConnect, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m: { type: string; port: number }) => (m.type === 'ready' ? resolve(m) : reject(new Error(String(m.type)))));
      child.once('exit', (code) => reject(new Error(`provider exited with ${code} before it was ready`)));
    });
    return new ProviderProcess(child, ready.port);
  }

  private get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  session(): Promise<SessionInfo> {
    return new Promise((resolve) => {
      const listener = (m: { type: string } & SessionInfo) => {
        if (m.type !== 'session') return;
        this.child.off('message', listener);
        resolve(m);
      };
      this.child.on('message', listener);
      this.child.send({ type: 'session' });
    });
  }

  /** Graceful: unregister, drain, exit. Resolves when the process has exited. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'shutdown' });
    await exited;
  }

  /** SIGKILL: no unregistering; the znode stays until the session times out. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}
