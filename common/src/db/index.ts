export { createOnce } from './create-once';
export { withDeadlockRetry } from './deadlock-retry';
export { insertUnique, isDuplicateKey } from './insert-unique';
export { createSequelize, ensureSchema, openDatabase, sessionSetup, type IsolationLevel } from './mysql';
export { runMigrations, type Migration } from './migrations';
export { ReleaseLedger, releaseLedgerMigration, reservationLedgerMigration, type ReservationSteps, type ReserveVerdict } from './release-ledger';
export { SqlStore } from './sql-store';
export { STATEMENT_KINDS, statementKind, type StatementKind } from './db-metrics';
export { affectedRows, insertOnlyIf, OneTripError, runInOneTrip, runInTwoTrips, type Statement } from './one-trip';
