import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reachesOtherTables } from './remote-tables.js';
import { lexMysql } from './sql-lexer.js';

const reaches = (sql: string) => reachesOtherTables(lexMysql(sql).statements[0]!.tokens);

test('tables and defaults that reach other tables are found', () => {
  for (const sql of [
    "CREATE TABLE f (id int) ENGINE=FEDERATED CONNECTION='mysql://u@h/db/payroll'",
    "create table f (id int) engine 'FederatedX'",
    "CREATE OR REPLACE TABLE c ENGINE=CONNECT TABLE_TYPE=MYSQL TABNAME='payroll'",
    "CREATE TABLE c (id int) SRCDEF='SELECT * FROM payroll'",
    "CREATE TABLE f (id int) CONNECTION='srv/payroll'",
    "CREATE TABLE g (latch varchar(32)) ENGINE=OQGRAPH DATA_TABLE='payroll'",
    'ALTER TABLE t ENGINE = SPIDER',
    '/*!CREATE TABLE f (id int) ENGINE=FEDERATED */',
    'SET default_storage_engine = FEDERATED',
    'SET @@session.default_tmp_storage_engine = connect',
    'SET SESSION storage_engine = @e',
    'SET NAMES utf8mb4, default_storage_engine = spider',
  ])
    assert.equal(reaches(sql), true, sql);
});

test('ordinary tables and settings are not', () => {
  for (const sql of [
    'CREATE TABLE t (id int) ENGINE=InnoDB',
    'CREATE TABLE t (connection int, file_name varchar(9), dbname text)',
    "CREATE TABLE t (id int) COMMENT 'federated'",
    'ALTER TABLE t ADD COLUMN connection int',
    "SET default_storage_engine = 'InnoDB'",
    'SET SESSION default_storage_engine = aria',
    'SELECT * FROM federated',
  ])
    assert.equal(reaches(sql), false, sql);
});
