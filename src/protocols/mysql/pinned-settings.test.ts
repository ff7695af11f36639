import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPinnedSettings } from './pinned-settings.js';
import { lexMysql } from './sql-lexer.js';

const MARIADB = { mariadb: true, version: 101100 };

/** The refusal code for a text: every statement of it checked, as unjudgeable.ts does. */
function refusal(sql: string): string | null {
  for (const s of lexMysql(sql, MARIADB).statements) {
    const error = checkPinnedSettings(s.tokens);
    if (error) return error.code;
  }
  return null;
}

test('SET NAMES wherever MariaDB runs a SET is refused to an unsafe character set', () => {
  for (const sql of [
    'SET NAMES gbk',
    'SET @a = 1, NAMES big5',
    'SET STATEMENT max_statement_time = 100 FOR SET NAMES gbk',
    'set statement max_statement_time=1 for set character set big5',
    'SET STATEMENT max_statement_time = 1 FOR SET CHARSET sjis',
    'BEGIN NOT ATOMIC SET NAMES gbk; END',
    'BEGIN NOT ATOMIC SET @a = 1, NAMES cp932; END',
    'IF 1 THEN SET NAMES big5; END IF',
    'SET STATEMENT max_statement_time = 1 FOR SET NAMES DEFAULT',
  ])
    assert.equal(refusal(sql), 'setting_pinned', sql);
});

test('the text of EXECUTE IMMEDIATE and PREPARE ... FROM is checked, and refused when computed', () => {
  for (const sql of [
    "EXECUTE IMMEDIATE 'SET NAMES sjis'",
    'EXECUTE IMMEDIATE "SET NAMES sjis"',
    "PREPARE s FROM 'SET sql_mode = ''ANSI_QUOTES'''",
    "EXECUTE IMMEDIATE 'EXECUTE IMMEDIATE ''SET NAMES gbk'''",
    "BEGIN NOT ATOMIC EXECUTE IMMEDIATE 'SET NAMES gbk'; END",
    'PREPARE s FROM @sql',
    'EXECUTE IMMEDIATE @sql',
    "EXECUTE IMMEDIATE CONCAT('SET NAMES ', 'gbk')",
    "EXECUTE IMMEDIATE 'SET NAMES ' 'gbk'",
    "EXECUTE IMMEDIATE x'534554204e414d45532067626b'",
    "EXECUTE IMMEDIATE 'SELECT ''unterminated'",
  ])
    assert.equal(refusal(sql), 'setting_pinned', sql);
});

test('safe character sets, other variables and columns named like the words still pass', () => {
  for (const sql of [
    'SET NAMES utf8mb4',
    'SET STATEMENT max_statement_time = 100 FOR SET NAMES utf8mb4',
    'SET STATEMENT max_statement_time = 100 FOR SELECT 1',
    "UPDATE t SET a = 1, names = 'x'",
    "UPDATE t SET names = 'x', charset = 'y'",
    'ALTER TABLE t MODIFY a TEXT CHARACTER SET gbk',
    "SELECT CHARSET('a')",
    "EXECUTE IMMEDIATE 'SELECT ?' USING 1",
    "PREPARE s FROM 'DELETE FROM t'",
    'EXECUTE s',
  ])
    assert.equal(refusal(sql), null, sql);
});
