export { createOnce } from './create-once';
export { withDeadlockRetry } from './deadlock-retry';
export { createSequelize, ensureSchema, openDatabase } from './mysql';
export { runMigrations, type Migration } from './migrations';
export { ReleaseLedger, releaseLedgerMigration } from './release-ledger';
