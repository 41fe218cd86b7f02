export { createSequelize, ensureSchema, openDatabase } from './mysql';
export { runMigrations, type Migration } from './migrations';
