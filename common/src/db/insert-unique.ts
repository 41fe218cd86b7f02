/**
 * INSERT where a duplicate key is the expected, checked outcome ("this order already took its
 * stock", "this message was consumed"), and nothing else is. `INSERT IGNORE` would also turn
 * every other error into a warning: a truncated amount, a NULL into a NOT NULL column, a
 * foreign key, all silently "ignored" as if the row had been a repeat.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

const ER_DUP_ENTRY = 1062;

export function isDuplicateKey(error: unknown): boolean {
  const cause = error as { parent?: { errno?: number }; original?: { errno?: number }; errno?: number };
  return (cause.parent?.errno ?? cause.original?.errno ?? cause.errno) === ER_DUP_ENTRY;
}

/**
 * Runs the INSERT; true when the row was written, false when a unique key already held it.
 * Any other failure is thrown. Inside a transaction, MySQL rolls back only the failed statement:
 * the transaction goes on.
 */
export async function insertUnique(sequelize: Sequelize, sql: string, replacements: unknown[], transaction?: Transaction): Promise<boolean> {
  if (!/^\s*INSERT\s+INTO\b/i.test(sql)) throw new Error('insertUnique takes a plain INSERT INTO statement');
  try {
    await sequelize.query(sql, { replacements, type: QueryTypes.INSERT, transaction });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
