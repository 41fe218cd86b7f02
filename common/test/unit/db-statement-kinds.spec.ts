import assert from 'node:assert/strict';
import { statementKind } from '../../src/db';

describe('SQL statement kinds (db_statements_total)', () => {
  it('are told from the first word, in any case, after blanks and newlines', () => {
    const cases: [string, string][] = [
      ['SELECT 1+1 AS result', 'select'],
      ['\n      select id from `order` for update', 'select'],
      ['WITH x AS (SELECT 1) SELECT * FROM x', 'select'],
      ['INSERT INTO mq_consumer_log VALUES (?)', 'insert'],
      ['insert ignore into t values (1)', 'insert'],
      ['REPLACE INTO t VALUES (1)', 'insert'],
      ['UPDATE goods SET stock = stock - 1', 'update'],
      ['DELETE FROM cart_item WHERE 1', 'delete'],
      ['START TRANSACTION;', 'begin'],
      ['BEGIN', 'begin'],
      ['COMMIT;', 'commit'],
      ['ROLLBACK;', 'rollback'],
      ['rollback', 'rollback'],
      ['ROLLBACK TO SAVEPOINT `sp-1`;', 'other'],
      ['SAVEPOINT `sp-1`;', 'other'],
      ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED;', 'other'],
      ['SHOW COLUMNS FROM t', 'other'],
      ['CREATE TABLE IF NOT EXISTS t (id INT)', 'other'],
      ['ALTER TABLE t ADD COLUMN c INT', 'other'],
      ['', 'other'],
      ['   ', 'other'],
    ];
    for (const [sql, kind] of cases) assert.equal(statementKind(sql), kind, sql);
  });

  it('read the SQL where it starts in the message Sequelize logs', () => {
    const message = 'Executing (0d6c2cd9-52d1-4d6f-9a0b-4f7e3c5e0c11): COMMIT;';
    assert.equal(statementKind(message, message.indexOf('): ') + 3), 'commit');
    const plain = 'Executing (default): SELECT (1): 2';
    assert.equal(statementKind(plain, plain.indexOf('): ') + 3), 'select');
  });
});
