/**
 * MySQL bootstrap: one schema per service, reached through Sequelize + mysql2.
 *
 * Decisions that matter for money and ids:
 * - DECIMAL and BIGINT come back as strings (`decimalNumbers: false`, `bigNumberStrings`), so an
 *   amount or a snowflake id never passes through a JS float;
 * - the session time zone is UTC, whatever the server's default;
 * - no implicit timestamps or pluralised table names: tables are named as the design names them.
 */
import mysql from 'mysql2/promise';
import { Sequelize, type Options } from 'sequelize';
import type { InfraConfig } from '../config';
import type { Logger } from '../log';

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,63}$/;

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
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

export function createSequelize(
  mysqlConfig: InfraConfig['mysql'],
  schema: string,
  logger?: Logger,
  overrides: Partial<Options> = {},
): Sequelize {
  return new Sequelize(schema, mysqlConfig.user, mysqlConfig.password, {
    host: mysqlConfig.host,
    port: mysqlConfig.port,
    dialect: 'mysql',
    timezone: '+00:00',
    logging: logger ? (sql: string) => logger.trace({ sql }, 'sql') : false,
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
    ...overrides,
  });
}

/** Creates the schema, connects, and checks the connection with a round trip. */
export async function openDatabase(
  mysqlConfig: InfraConfig['mysql'],
  schema: string,
  logger?: Logger,
): Promise<Sequelize> {
  await ensureSchema(mysqlConfig, schema);
  const sequelize = createSequelize(mysqlConfig, schema, logger);
  await sequelize.authenticate();
  return sequelize;
}
