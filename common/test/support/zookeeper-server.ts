/**
 * A private ZooKeeper for tests that stop and restart it (the shared one of the local stack must
 * stay up for everyone else). Same jars and JDK as the stack (infra:up must have run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const VAR = process.env.SHOP_VAR_DIR ?? resolve(__dirname, '../../../var');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

function serving(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    let answer = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => done(answer.includes('Mode: ')));
    socket.on('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.end('srvr'));
  });
}

export class ZooKeeperServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'shop-zk-'));

  private constructor(readonly port: number) {
    writeFileSync(
      join(this.dir, 'zoo.cfg'),
      [
        `tickTime=500`,
        `dataDir=${this.dir}/data`,
        `clientPort=${port}`,
        'clientPortAddress=127.0.0.1',
        'admin.enableServer=false',
        '4lw.commands.whitelist=srvr,ruok',
      ].join('\n'),
    );
  }

  static async start(): Promise<ZooKeeperServer> {
    const server = new ZooKeeperServer(await freePort());
    await server.start();
    return server;
  }

  get connect(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and data: sessions survive a restart shorter than their timeout. */
  async start(): Promise<void> {
    const java = readFileSync(join(VAR, 'run/java-path'), 'utf8').trim();
    this.process = spawn(java, ['-Xmx128m', '-cp', `${VAR}/lib/zookeeper/*`, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(this.dir, 'zoo.cfg')], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 30_000;
    while (!(await serving(this.port))) {
      if (Date.now() > deadline) throw new Error(`test ZooKeeper on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }
}
