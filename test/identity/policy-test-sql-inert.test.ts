// `vigil policy test --sql` judges a statement in-process, by parsing it: it must never run it. A
// statement that would read a server file, run a program, load a local file or open a connection
// if executed (COPY ... FROM PROGRAM, pg_read_file, dblink, LOAD DATA LOCAL INFILE, LOAD_FILE)
// leaves the file system and the network untouched: the connection's upstream (a listener of this
// test) is never dialled, no program runs, and nothing of the file named reaches the output.
// Real parts: the CLI as a child process on a temporary vigil.yaml, the real SQL parsers.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-sql-'));
const secretFile = join(dir, 'secret.txt');
const SECRET = 'the-file-content-must-not-appear-4f1c';
const ranMarker = join(dir, 'program-ran');
let upstream: Server;
let port = 0;
let dialled = 0;

before(async () => {
  writeFileSync(secretFile, `${SECRET}\n`);
  upstream = createServer((socket) => {
    dialled++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  port = (upstream.address() as { port: number }).port;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `identities:
  - name: alice
    token_sha256: "${'0'.repeat(64)}"
connections:
  - name: pg
    type: postgres
    upstream: postgres://127.0.0.1:${port}/app
    listen: 127.0.0.1:0
    allow: ["*"]
  - name: my
    type: mysql
    upstream: mysql://root@127.0.0.1:${port}/app
    listen: 127.0.0.1:0
    allow: ["*"]
policy:
  default: allow
`,
  );
});

after(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

/** Each would read, write, run or dial something if it were executed. */
const statements = (): ReadonlyArray<readonly [connection: string, sql: string]> => [
  ['pg', `COPY t FROM PROGRAM 'touch ${ranMarker}'`],
  ['pg', `SELECT pg_read_file('${secretFile}')`],
  ['pg', `COPY (SELECT 1) TO PROGRAM 'touch ${ranMarker}'`],
  ['pg', `SELECT * FROM dblink('host=127.0.0.1 port=${port} dbname=app', 'SELECT 1') AS t(x int)`],
  ['pg', `CREATE TABLE x (y text); COPY x FROM '${secretFile}'`],
  ['my', `LOAD DATA LOCAL INFILE '${secretFile}' INTO TABLE t`],
  ['my', `SELECT LOAD_FILE('${secretFile}')`],
  ['my', `SELECT 1 INTO OUTFILE '${ranMarker}'`],
];

test('policy test --sql parses what it judges and runs none of it', { timeout: 240_000 }, async () => {
  const STATEMENTS = statements();
  const runs = await Promise.all(
    STATEMENTS.map(([connection, sql]) =>
      runCli([
        '--config',
        join(dir, 'vigil.yaml'),
        'policy',
        'test',
        '--connection',
        connection,
        '--user',
        'alice',
        '--sql',
        sql,
      ]),
    ),
  );
  for (const [i, run] of runs.entries()) {
    const [connection, sql] = STATEMENTS[i]!;
    assert.ok(run.code === 0 || run.code === 1, `${connection}: ${sql}: exit ${run.code}: ${run.stderr}`);
    assert.match(run.stdout, /^decision\s+/m, `${sql} was judged`);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET), `${sql}: nothing of the file is shown`);
  }
  assert.equal(dialled, 0, 'no upstream was dialled');
  assert.equal(existsSync(ranMarker), false, 'no program ran and no file was written');
});
