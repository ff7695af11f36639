// LOAD DATA LOCAL INFILE into a secret column: the record kept the file's SHA-256, and the digest
// of a short file of passwords is found by guessing. A load that names a secret column (in its
// column list or SET) now has its file recorded by name and size only, and so has a load that
// names no columns, which fills the table's own, a secret one among them. Through the gateway, with
// the mariadb client sending the file, against a real MariaDB server.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientArgs, mysqlEvents, mysqlFixtureForFile, runClient, vigilOptions } from './mysql-gateway.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_infile_digest', {
  connection: { allow_local_infile: true },
  prepare: ['create table accounts (id int, name varchar(40), password varchar(40))'],
});

async function load(sql: string): Promise<unknown> {
  const run = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f())),
    '--local-infile=1',
    f().database,
    '-e',
    sql,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const results = (await mysqlEvents(f())).filter((e) => e.type === 'db.result' && e.payload?.local_infile);
  return results.at(-1)?.payload?.local_infile;
}

test('a LOCAL load into a secret column records its file without the digest; other loads keep it', {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-infile-digest-'));
  const file = join(dir, 'pw.tsv');
  const content = '1\thunter2\n';
  writeFileSync(file, content);
  for (const sql of [
    `load data local infile '${file}' into table accounts (id, password)`,
    `load data local infile '${file}' into table accounts character set utf8mb4 fields terminated by '\\t' (id, @p) set password = @p`,
  ]) {
    assert.deepEqual(
      await load(sql),
      {
        file,
        bytes: Buffer.byteLength(content),
        sha256_withheld: 'the load names a secret column',
      },
      sql,
    );
  }
  assert.deepEqual(await load(`load data local infile '${file}' into table accounts (id, name)`), {
    file,
    bytes: Buffer.byteLength(content),
    sha256: createHash('sha256').update(content).digest('hex'),
  });
});

test('a LOCAL load that names no columns records its file without the digest', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-infile-digest-'));
  const file = join(dir, 'rows.tsv');
  const content = '2\tann\thunter2\n';
  writeFileSync(file, content);
  // `accounts` has a password column the statement never names: the file fills it all the same.
  for (const sql of [
    `load data local infile '${file}' into table accounts`,
    `load data local infile '${file}' replace into table accounts fields terminated by '\\t' ignore 0 lines`,
  ]) {
    assert.deepEqual(
      await load(sql),
      {
        file,
        bytes: Buffer.byteLength(content),
        sha256_withheld: 'the load names no columns, so it may fill a secret column',
      },
      sql,
    );
  }
});
