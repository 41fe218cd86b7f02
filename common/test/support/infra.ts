/** What the integration specs share: the infrastructure settings, a quiet logger, a fresh schema. */
import { QueryTypes, type Sequelize } from 'sequelize';
import { loadInfraConfig } from '../../src/config';
import { openDatabase, runMigrations, type Migration } from '../../src/db';
import { createLogger } from '../../src/log';
import type { MqConnection } from '../../src/mq';
import { RpcTransport } from '../../src/rpc';

export const infra = loadInfraConfig();
export const testLogger = createLogger('test', process.env.LOG_LEVEL ?? 'silent');
export const mqConnection: MqConnection = { ...infra.rocketmq, logger: testLogger };

/** Mutual TLS as `identity` (a service, a front door, `ops`), with the local CA's certificates. */
export function transportAs(identity: string): RpcTransport {
  return RpcTransport.fromConfig(infra.rpcTls, identity);
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A test schema as a first start would find it: every table dropped (what an earlier run or an
 * older migration left), then the service's migrations run. The caller closes the connection.
 */
export async function freshDatabase(schema: string, migrations: Migration[], isolation?: Parameters<typeof openDatabase>[3]): Promise<Sequelize> {
  const db = await openDatabase(infra.mysql, schema, undefined, isolation);
  const tables = await db.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?', {
    replacements: [schema],
    type: QueryTypes.SELECT,
  });
  for (const { name } of tables) await db.query(`DROP TABLE \`${name}\``);
  await runMigrations(db, migrations);
  return db;
}
