import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIGEST_WITHHELD, infileDigest } from './local-infile.js';
import { lexMysql } from './sql-lexer.js';

const secret = (name: string) => /password/i.test(name);
const digest = (sql: string) =>
  infileDigest(
    lexMysql(sql).statements.map((s) => s.tokens),
    secret,
  );

test("a LOCAL load's file keeps its digest only when its columns are listed and none is secret", () => {
  assert.equal(digest("LOAD DATA LOCAL INFILE 'f' INTO TABLE t (id, name)"), true);
  assert.equal(
    digest("LOAD DATA LOCAL INFILE 'f' INTO TABLE t (id, password)"),
    DIGEST_WITHHELD.secretColumn,
  );
  assert.equal(
    digest("LOAD DATA LOCAL INFILE 'f' INTO TABLE t (id, @p) SET password = @p"),
    DIGEST_WITHHELD.secretColumn,
  );
  for (const sql of [
    "LOAD DATA LOCAL INFILE 'f' INTO TABLE t",
    "LOAD DATA LOCAL INFILE 'f' INTO TABLE t PARTITION (p0) FIELDS TERMINATED BY ','",
    "LOAD DATA LOCAL INFILE 'f' INTO TABLE t SET id = 1",
    "LOAD XML LOCAL INFILE 'f' INTO TABLE t ROWS IDENTIFIED BY '<row>'",
    "SELECT 1; LOAD DATA LOCAL INFILE 'f' INTO TABLE t",
  ])
    assert.equal(digest(sql), DIGEST_WITHHELD.noColumnList, sql);
  // A file asked for behind a text Vigil read no LOCAL load in.
  assert.equal(digest("SELECT 'local'"), DIGEST_WITHHELD.notRead);
});
