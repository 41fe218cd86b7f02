/**
 * A small migrations runner: ordered, recorded, run once, safe with several instances starting
 * at the same time.
 *
 * Each migration has a sortable id ("0001-create-goods") and an `up`. Applied ids are recorded in
 * `schema_migrations`. A MySQL named lock (GET_LOCK, per schema) makes concurrent runners queue
 * instead of racing; the second one finds the work done. MySQL commits DDL implicitly, so a
 * migration is not atomic: write each one so that re-running it after a crash is harmless
 * (CREATE TABLE IF NOT EXISTS, or one DDL statement per migration).
 */
import { QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';
import type { Logger } from '../log';

export interface Migration {
  id: string;
  up(context: { sequelize: Sequelize; queryInterface: QueryInterface }): Promise<void>;
}

const LOCK_TIMEOUT_S = 60;

/** Applies the migrations not yet recorded, in id order. Returns the ids it applied. */
export async function runMigrations(sequelize: Sequelize, migrations: readonly Migration[], logger?: Logger): Promise<string[]> {
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate migration ids in ${ids.join(', ')}`);
  const ordered = [...migrations].sort((a, b) => a.id.localeCompare(b.id));
  const lockName = `${sequelize.getDatabaseName()}.migrations`;

  await sequelize.query('CREATE TABLE IF NOT EXISTS schema_migrations (id VARCHAR(191) NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL)');
  // GET_LOCK belongs to a connection: a transaction pins one from the pool for lock and release.
  const pinned = await sequelize.transaction();
  const applied: string[] = [];
  try {
    const [lock] = await sequelize.query<{ got: number | null }>('SELECT GET_LOCK(?, ?) AS got', {
      replacements: [lockName, LOCK_TIMEOUT_S],
      type: QueryTypes.SELECT,
      transaction: pinned,
    });
    if (lock?.got !== 1) throw new Error(`could not take the migration lock ${lockName} within ${LOCK_TIMEOUT_S}s`);
    try {
      const done = new Set((await sequelize.query<{ id: string }>('SELECT id FROM schema_migrations', { type: QueryTypes.SELECT })).map((r) => r.id));
      for (const migration of ordered) {
        if (done.has(migration.id)) continue;
        logger?.info({ migration: migration.id }, 'applying migration');
        await migration.up({ sequelize, queryInterface: sequelize.getQueryInterface() });
        await sequelize.query('INSERT INTO schema_migrations (id, applied_at) VALUES (?, UTC_TIMESTAMP(3))', {
          replacements: [migration.id],
        });
        applied.push(migration.id);
      }
    } finally {
      await sequelize.query('SELECT RELEASE_LOCK(?)', { replacements: [lockName], transaction: pinned });
    }
  } finally {
    await pinned.commit();
  }
  return applied;
}
