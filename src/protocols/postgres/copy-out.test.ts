// Decoding COPY TO STDOUT lines as the client decodes them, from the statement's options, and
// withholding what Vigil cannot name or read. The lines below are what PostgreSQL writes.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadModule } from 'libpg-query';
import { CopyOutRecord } from './copy-out.js';
import { copyOutShapes } from './copy-out-shape.js';

before(() => loadModule());

/** A CopyOutResponse body: overall format and `columns` columns of it. */
function response(columns: number, binary = false): Buffer {
  const b = Buffer.alloc(3 + 2 * columns);
  b.writeInt8(binary ? 1 : 0, 0);
  b.writeInt16BE(columns, 1);
  for (let i = 0; i < columns; i++) b.writeInt16BE(binary ? 1 : 0, 3 + 2 * i);
  return b;
}

function record(sql: string, columns: number, lines: string[], limit = 10): CopyOutRecord {
  const r = new CopyOutRecord(response(columns), copyOutShapes(sql).get(0), limit);
  for (const line of lines) r.data(Buffer.from(line, 'utf8'));
  return r;
}

test('text: escapes undone, \\N and a custom NULL are null, a custom delimiter', () => {
  const r = record('COPY t (a, b, c) TO STDOUT', 3, ['x\\ty\t\\N\t\\101\\x42\\\\\n', '\t\t\n']);
  assert.deepEqual(r.rows, [
    ['x\ty', null, 'AB\\'],
    ['', '', ''],
  ]);
  const custom = record("COPY t (a, b) TO STDOUT (DELIMITER '|', NULL 'nil')", 2, ['a\\|b|nil\n']);
  assert.deepEqual(custom.rows, [['a|b', null]]);
});

test('csv: quotes, doubled quotes, a custom escape, an empty unquoted field is NULL, the header skipped', () => {
  const r = record('COPY t (a, b, c) TO STDOUT (FORMAT csv, HEADER)', 3, [
    'a,b,c\n',
    '"x, ""y""",,""\n',
    '"line\nbreak",1,\n',
  ]);
  assert.deepEqual(r.rows, [
    ['x, "y"', null, ''],
    ['line\nbreak', '1', null],
  ]);
  const esc = record("COPY t (a) TO STDOUT (FORMAT csv, QUOTE '~', ESCAPE '!')", 1, ['~a!~b!!~\n']);
  assert.deepEqual(esc.rows, [['a~b!']]);
});

test('a line that does not split into the announced columns, or an unknown column, is withheld', () => {
  const r = record('COPY t (a, b) TO STDOUT (FORMAT csv)', 2, ['"unterminated,x\n', 'one\n', 'p,q\n']);
  assert.deepEqual(r.rows, [
    [{ withheld: 'line not decoded', bytes: 16 }],
    [{ withheld: 'line not decoded', bytes: 4 }],
    ['p', 'q'],
  ]);
  const bare = record('COPY t TO STDOUT', 2, ['secret\t\\N\n']);
  assert.deepEqual(bare.rows, [[{ withheld: 'column unknown', bytes: 6 }, null]]);
  assert.equal(bare.columns.join(','), ',');
  // A list of fewer names than the server's columns is not trusted at all.
  const short = record('COPY (SELECT a, * FROM t) TO STDOUT', 3, ['1\t2\t3\n']);
  assert.deepEqual(short.summary().columns_unknown, 3);
});

test('a statement Vigil could not read: nothing decoded; binary: size and hash only', () => {
  const unread = new CopyOutRecord(response(1), undefined, 10);
  unread.data(Buffer.from('hunter2\n'));
  assert.deepEqual(unread.rows, [[{ withheld: 'line not decoded', bytes: 8 }]]);
  const binary = new CopyOutRecord(response(1, true), copyOutShapes('COPY t (a) TO STDOUT').get(0), 10);
  binary.data(Buffer.from('PGCOPY'));
  assert.deepEqual(binary.rows, []);
  assert.equal(binary.summary().recorded, 'size and sha256 only');
  assert.equal(binary.summary().bytes, 6);
});

test('only COPY TO STDOUT statements have a shape, by their index in the text', () => {
  const shapes = copyOutShapes("SELECT 1; COPY t FROM STDIN; COPY t TO '/tmp/x'; COPY t (a) TO STDOUT");
  assert.deepEqual([...shapes.keys()], [3]);
  assert.deepEqual(copyOutShapes('COPY (SELECT a, t.b AS b, c AS d, t FROM t) TO STDOUT').get(0)?.columns, [
    'a',
    'b',
    null,
    null,
  ]);
  assert.equal(copyOutShapes('not sql at all').size, 0);
});
