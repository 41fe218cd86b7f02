/**
 * The faults of a run: a schedule drawn from the seed (printed at the start, so a failing run
 * can be replayed), every kind at least once, then carried out while the load runs: processes
 * SIGKILLed and restarted, frozen (SIGSTOP/SIGCONT: the GC-pause case), the RocketMQ proxy and
 * ZooKeeper killed and restarted, the services' MySQL connections killed (and MySQL restarted
 * when the stack owns it), the Alipay and WeChat Pay gateways failing, timing out and losing
 * notifications; on the cluster topology, the ZooKeeper ensemble's leader and a RocketMQ broker
 * master killed too.
 */
import mysql from 'mysql2/promise';
import { loadInfraConfig, TEST_SCHEMAS } from '@shop/common/config';
import type { Client } from './client';
import type { ChaosConfig } from './config';
import {
  FRONT_DOORS,
  infraUp,
  SERVICES,
  signal,
  stackOwnsMysql,
  startProcess,
  whenRunning,
  zookeeperLeader,
  type AppProcess,
  type InfraProcess,
} from './processes';
import type { Random } from './random';

export type FaultKind =
  | 'kill'
  | 'freeze'
  | 'proxy-restart'
  | 'zookeeper-restart'
  | 'mysql-connections'
  | 'mysql-restart'
  | 'gateway-errors'
  | 'gateway-timeouts'
  | 'notifications-lost'
  | 'zookeeper-leader-kill'
  | 'broker-master-kill';

export const FAULT_KINDS: FaultKind[] = [
  'kill',
  'freeze',
  'proxy-restart',
  'zookeeper-restart',
  'mysql-connections',
  'mysql-restart',
  'gateway-errors',
  'gateway-timeouts',
  'notifications-lost',
];

/** Faults only the cluster topology has: an ensemble to lose its leader, masters to lose one of. */
const CLUSTER_FAULT_KINDS: FaultKind[] = ['zookeeper-leader-kill', 'broker-master-kill'];
const BROKER_MASTERS = ['broker-a', 'broker-b'] as const;

/** Every kind a run on this topology injects at least once. */
export function faultKindsFor(topology: ChaosConfig['topology']): FaultKind[] {
  return topology === 'cluster' ? [...FAULT_KINDS, ...CLUSTER_FAULT_KINDS] : FAULT_KINDS;
}

export interface PlannedFault {
  /** Milliseconds after the load started. */
  at: number;
  kind: FaultKind;
  target: string;
  /** Milliseconds down or frozen (kill, freeze, restarts), or how many calls or notifications it spoils (gateway). */
  size: number;
}

export interface FaultRecord extends PlannedFault {
  startedAt: number;
  endedAt: number;
  /** What happened, or why it was skipped. */
  note: string;
}

/** Faults that last as long as their injection does (the others arm something and return). */
const LASTING = new Set<FaultKind>(['kill', 'freeze', 'proxy-restart', 'zookeeper-restart', 'mysql-restart', 'zookeeper-leader-kill', 'broker-master-kill']);

const PROCESSES: AppProcess[] = [...SERVICES, ...FRONT_DOORS];
/** What a gateway fault spoils: Alipay's OpenAPI methods, and WeChat Pay's APIs (named `wechatpay:<api>`). */
const GATEWAY_METHODS = [
  'alipay.trade.query',
  'alipay.trade.close',
  'alipay.trade.refund',
  'alipay.trade.precreate',
  'alipay.trade.fastpay.refund.query',
  'wechatpay:native',
  'wechatpay:query',
  'wechatpay:close',
  'wechatpay:refund',
  'wechatpay:refund-query',
];
/** Whose notifications are lost. */
const NOTIFIERS = ['alipay notify', 'wechatpay notify'];

/**
 * The run's faults: every process killed once, and one of every other kind, at random times in
 * the first 80% of the load; long runs get more, one every 30 s or so. (At one every 20 s a
 * 600 s run spent most of its time recovering, RocketMQ's proxy alone being a 35-55 s JVM start
 * during which no order can be placed, and placed some 2,500 orders on 2 cores.)
 */
export function planFaults(config: ChaosConfig, random: Random): PlannedFault[] {
  const span = config.seconds * 1000;
  const at = () => random.int(Math.round(span * 0.05), Math.round(span * 0.8));
  const fault = (kind: FaultKind, target: string, size: number): PlannedFault => ({ at: at(), kind, target, size });
  const plan: PlannedFault[] = [
    ...PROCESSES.map((name) => fault('kill', name, random.int(500, 4_000))),
    fault('freeze', random.pick(PROCESSES), random.int(2_000, 6_000)),
    fault('proxy-restart', 'rocketmq proxy', random.int(1_000, 3_000)),
    fault('zookeeper-restart', 'zookeeper', random.int(1_000, 3_000)),
    fault('mysql-connections', 'services', 0),
    fault('mysql-restart', 'mysql', random.int(1_000, 3_000)),
    // Both gateways fail at least once.
    fault('gateway-errors', random.pick(GATEWAY_METHODS.filter((method) => !method.startsWith('wechatpay:'))), random.int(3, 10)),
    fault('gateway-errors', random.pick(GATEWAY_METHODS.filter((method) => method.startsWith('wechatpay:'))), random.int(3, 10)),
    fault('gateway-timeouts', random.pick(GATEWAY_METHODS), random.int(1, 3)),
    ...NOTIFIERS.map((notifier) => fault('notifications-lost', notifier, random.int(3, 10))),
    ...(config.topology === 'cluster'
      ? [
          fault('zookeeper-leader-kill', 'zookeeper leader', random.int(1_000, 3_000)),
          fault('broker-master-kill', random.pick(BROKER_MASTERS), random.int(1_000, 3_000)),
        ]
      : []),
  ];
  for (let extra = 0; extra < Math.floor(config.seconds / 30) - 10; extra++) {
    const kind = random.weighted({
      kill: 4,
      freeze: 2,
      'mysql-connections': 1,
      'gateway-errors': 2,
      'gateway-timeouts': 1,
      'notifications-lost': 1,
      'proxy-restart': 0.5,
      'zookeeper-restart': 0.5,
    } as const);
    const target =
      kind === 'kill' || kind === 'freeze'
        ? random.pick(PROCESSES)
        : kind.startsWith('gateway')
          ? random.pick(GATEWAY_METHODS)
          : kind === 'notifications-lost'
            ? random.pick(NOTIFIERS)
            : kind;
    plan.push(fault(kind, target, kind === 'kill' ? random.int(500, 4_000) : kind === 'freeze' ? random.int(2_000, 6_000) : random.int(2, 8)));
  }
  return plan.sort((a, b) => a.at - b.at);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Carries the faults out at their times; infrastructure restarts one at a time. */
export class FaultRunner {
  readonly records: FaultRecord[] = [];
  private infraLock: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: ChaosConfig,
    private readonly client: Client,
  ) {}

  async run(plan: PlannedFault[], startedAt: number): Promise<void> {
    await Promise.all(
      plan.map(async (fault) => {
        await sleep(Math.max(0, startedAt + fault.at - Date.now()));
        const begin = Date.now();
        let note: string;
        try {
          note = await this.inject(fault);
        } catch (error) {
          note = `failed: ${String(error).slice(0, 200)}`;
        }
        // A fault that only arms something (gateway, notifications, connections) is given a
        // 10 s window, for the availability figures.
        const endedAt = Math.max(Date.now(), LASTING.has(fault.kind) ? 0 : begin + 10_000);
        this.records.push({ ...fault, startedAt: begin, endedAt, note: note.replace(/\s+/g, ' ') });
        console.log(`[chaos] +${Math.round((begin - startedAt) / 1000)}s ${fault.kind} ${fault.target}: ${note}`);
      }),
    );
  }

  private async inject(fault: PlannedFault): Promise<string> {
    switch (fault.kind) {
      case 'kill': {
        const name = fault.target as AppProcess;
        if (!(await whenRunning(name, 60_000)) || !signal(name, 'SIGKILL')) return 'not running';
        await sleep(fault.size);
        await startProcess(name, this.config.plant);
        return `SIGKILL, restarted after ${fault.size} ms`;
      }
      case 'freeze': {
        const name = fault.target as AppProcess;
        if (!(await whenRunning(name, 60_000)) || !signal(name, 'SIGSTOP')) return 'not running';
        await sleep(fault.size);
        signal(name, 'SIGCONT');
        return `SIGSTOP for ${fault.size} ms, then SIGCONT`;
      }
      case 'proxy-restart':
        return this.restartInfra('proxy', fault.size);
      case 'zookeeper-restart':
        return this.restartInfra('zookeeper', fault.size);
      case 'zookeeper-leader-kill': {
        // Whoever leads when the fault comes: the ensemble elects another while it is down.
        const leader = await zookeeperLeader();
        if (!leader) return 'no leader found (the ensemble is not serving)';
        return `${leader}: ${await this.restartInfra(leader, fault.size)}`;
      }
      case 'broker-master-kill':
        return this.restartInfra(fault.target as InfraProcess, fault.size);
      case 'mysql-restart':
        if (!stackOwnsMysql()) return 'skipped: the MySQL in use was not started by the stack (the harness never restarts a server it does not own)';
        return this.restartInfra('mysql', fault.size);
      case 'mysql-connections':
        return `KILLed ${await killServiceConnections()} connections of the services`;
      case 'gateway-errors':
        await this.gatewayFault(fault.target, { mode: 'error', count: fault.size });
        return `${fault.size} calls answer a system error (ACQ.SYSTEM_ERROR, SYSTEM_ERROR)`;
      case 'gateway-timeouts':
        await this.gatewayFault(fault.target, { mode: 'timeout', count: fault.size, delayMs: 7_000 });
        return `${fault.size} calls get no answer`;
      case 'notifications-lost': {
        const gateway = fault.target.startsWith('wechatpay') ? this.config.wechatGateway : this.config.gateway;
        const answer = await this.client.once('POST', `${gateway}/sandbox/notifications`, {
          json: { mode: 'drop', count: fault.size },
          route: 'chaos control',
        });
        if (answer.status >= 300) throw new Error(`gateway: ${answer.status} ${JSON.stringify(answer.body)}`);
        return `the next ${fault.size} notifications are lost`;
      }
    }
  }

  /** Arms a fault at the gateway of the target (`wechatpay:<api>`, or an Alipay method). */
  private async gatewayFault(target: string, fault: Record<string, unknown>): Promise<void> {
    const [gateway, body] = target.startsWith('wechatpay:')
      ? [this.config.wechatGateway, { api: target.slice('wechatpay:'.length), ...fault }]
      : [this.config.gateway, { method: target, ...fault }];
    const answer = await this.client.once('POST', `${gateway}/sandbox/faults`, { json: body, route: 'chaos control' });
    if (answer.status >= 300) throw new Error(`gateway: ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  /** SIGKILL a piece of infrastructure, wait, and start what is down again (infra.sh up). */
  private restartInfra(name: InfraProcess, downMs: number): Promise<string> {
    const restart = this.infraLock.then(async () => {
      if (!signal(name, 'SIGKILL')) return 'not running (not started by the stack)';
      await sleep(downMs);
      const began = Date.now();
      await infraUp();
      return `SIGKILL, back ${Math.round((Date.now() - began + downMs) / 100) / 10} s later`;
    });
    this.infraLock = restart.then(
      () => undefined,
      () => undefined,
    );
    return restart;
  }
}

/** KILLs every connection of the shop's account to the services' schemas (not this one). */
async function killServiceConnections(): Promise<number> {
  const { host, port, user, password } = loadInfraConfig().mysql;
  const connection = await mysql.createConnection({ host, port, user, password });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT id FROM information_schema.processlist WHERE user = ? AND db IN (?) AND id <> CONNECTION_ID()',
      [user, Object.values(TEST_SCHEMAS)],
    );
    let killed = 0;
    for (const row of rows) {
      // A connection may have ended meanwhile.
      await connection.query(`KILL ${Number(row.id)}`).then(
        () => killed++,
        () => undefined,
      );
    }
    return killed;
  } finally {
    await connection.end();
  }
}
