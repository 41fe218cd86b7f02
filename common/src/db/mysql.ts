/**
 * MySQL bootstrap: one schema per service, reached through Sequelize + mysql2.
 *
 * Decisions that matter for money and ids:
 * - DECIMAL and BIGINT come back as strings (`decimalNumbers: false`, `bigNumberStrings`), so an
 *   amount or a snowflake id never passes through a JS float;
 * - the session time zone is UTC, whatever the server's default;
 * - every connection runs REPEATABLE READ and strict SQL, whatever the server's defaults (managed
 *   MySQL often defaults to READ COMMITTED; a strict mode turns a truncated amount into an error
 *   instead of a warning);
 * - no implicit timestamps or pluralised table names: tables are named as the design names them.
 */
import mysql from 'mysql2/promise';
import { Sequelize, type Options } from 'sequelize';
import type { InfraConfig } from '../config';
import type { Logger } from '../log';
import { countStatement } from './db-metrics';
import { allowOneTrips } from './one-trip';

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export type IsolationLevel = 'REPEATABLE READ' | 'READ COMMITTED';

/** Strict in MySQL 8 and MariaDB alike: bad data is an error, never a silently changed value. */
const SQL_MODE = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/** The session settings every pooled connection gets once, when it is opened. */
export function sessionSetup(isolation: IsolationLevel): string[] {
  return [`SET SESSION TRANSACTION ISOLATION LEVEL ${isolation}`, `SET SESSION sql_mode = '${SQL_MODE}'`];
}

interface RawConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}

function runOn(connection: RawConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve())));
}

/** Creates the schema if it is missing (utf8mb4). Safe to run from several instances at once. */
export async function ensureSchema(mysqlConfig: InfraConfig['mysql'], schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  const connection = await mysql.createConnection({
    host: mysqlConfig.host,
    port: mysqlConfig.port,
    user: mysqlConfig.user,
    password: mysqlConfig.password,
    connectTimeout: 10_000,
  });
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

export function createSequelize(
  mysqlConfig: InfraConfig['mysql'],
  schema: string,
  logger?: Logger,
  overrides: Partial<Options> = {},
  isolation: IsolationLevel = 'REPEATABLE READ',
): Sequelize {
  const statements = sessionSetup(isolation);
  // An override's own logging is called after the count, never instead of it.
  const { logging: log, ...others } = overrides;
  const sequelize = new Sequelize(schema, mysqlConfig.user, mysqlConfig.password, {
    host: mysqlConfig.host,
    port: mysqlConfig.port,
    dialect: 'mysql',
    timezone: '+00:00',
    // Called with every statement sent (db-metrics.ts counts them); the SQL is logged at trace.
    logging: (sql: string, timing?: number) => {
      countStatement(sql);
      if (typeof log === 'function') log(sql, timing);
      else if (logger?.isLevelEnabled('trace')) logger.trace({ sql }, 'sql');
    },
    benchmark: false,
    pool: { max: mysqlConfig.poolMax, min: 0, idle: 10_000, acquire: 10_000 },
    dialectOptions: {
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      dateStrings: false,
      connectTimeout: 10_000,
    },
    define: { freezeTableName: true, underscored: true, timestamps: false },
    hooks: {
      // Once per pooled connection, before its first query; the release ledgers do not depend on
      // it (they hold under READ COMMITTED too), but every other read assumes it.
      afterConnect: async (connection: unknown) => {
        for (const sql of statements) await runOn(connection as RawConnection, sql);
      },
    },
    ...others,
  });
  allowOneTrips(sequelize, statements);
  return sequelize;
}

/** Creates the schema, connects, and checks the connection with a round trip. */
export async function openDatabase(
  mysqlConfig: InfraConfig['mysql'],
  schema: string,
  logger?: Logger,
  isolation: IsolationLevel = 'REPEATABLE READ',
): Promise<Sequelize> {
  await ensureSchema(mysqlConfig, schema);
  const sequelize = createSequelize(mysqlConfig, schema, logger, {}, isolation);
  await sequelize.authenticate();
  return sequelize;
}
