import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { tablesReadByWords, triggerTableOf } from './exposed-words.js';
import { factsOf } from './query-payloads.js';
import { classifyUncached } from './sql-classifier.js';
import { lexMysql } from './sql-lexer.js';

/** The tables of the nested SELECTs a statement is recorded with. */
const reads = (sql: string) =>
  factsOf(classifyUncached(sql).statements)
    .filter((s) => s.nested && s.kind === 'SELECT')
    .flatMap((s) => s.tables);

const EXPOSING = [
  'update {t} set note = note where salary + 0 > 0',
  'delete from {t} where salary like "a%"',
  'delete p from {t} p join other o on o.id = p.id',
  'update other o, {t} p set o.v = 1 where p.id = 1',
  'insert ignore into {t} values (1, 2)',
  'insert into {t} (id) values (1) on duplicate key update note = salary + 0',
  'replace into {t} values (1, 2)',
  'alter table {t} modify salary int',
  'alter table {t} rename to moved',
  'rename table {t} to moved',
  'create index i on {t} (salary)',
  'create trigger tr after insert on {t} for each row insert into log values (new.salary)',
  'create trigger tr before update on {t} for each row set new.note = new.salary',
];

// Names are written quoted, so a generated name that is a keyword (`go`, `key`, `use`) is still a
// name; the shapes' own aliases and other tables are left out, since those would be other tables.
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/).filter((n) => !SHAPE_NAMES.has(n));
const SHAPE_NAMES = new Set(['p', 'o', 'i', 'tr', 'log', 'other', 'moved', 'new']);

test("property: a statement that shows its table's rows without returning them is recorded reading it", () => {
  fc.assert(
    fc.property(fc.constantFrom(...EXPOSING), name, fc.option(name, { nil: undefined }), (shape, t, db) => {
      const table = db ? `${db}.${t}` : t;
      const sql = shape.replaceAll('{t}', db ? `\`${db}\`.\`${t}\`` : `\`${t}\``);
      assert.ok(reads(sql).includes(table), sql);
    }),
  );
});

test('a plain INSERT, TRUNCATE and DROP show no rows: no read is added', () => {
  assert.deepEqual(reads('insert into payroll values (1, 2)'), []);
  assert.deepEqual(reads('insert into payroll set id = 1'), []);
  assert.deepEqual(reads('truncate payroll'), []);
  assert.deepEqual(reads('drop table payroll'), []);
  // A source query's tables are read already; the upsert adds its target to the same read.
  assert.deepEqual(
    factsOf(classifyUncached('insert into t select * from s on duplicate key update v = 1').statements).map(
      (s) => [s.kind, s.tables],
    ),
    [
      ['INSERT', ['s', 't']],
      ['UPDATE', ['t']],
      ['SELECT', ['s', 't']],
    ],
  );
});

test('the table of a trigger is read from its words, with its database, in quotes or not', () => {
  const of = (sql: string) => triggerTableOf(lexMysql(sql, null).statements[0]!.tokens);
  assert.equal(of('CREATE TRIGGER tr AFTER INSERT ON payroll FOR EACH ROW BEGIN END'), 'payroll');
  assert.equal(
    of('CREATE DEFINER=`root`@`%` TRIGGER `tr` BEFORE DELETE ON `hr`.`Payroll` FOR EACH ROW SET @x = 1'),
    'hr.Payroll',
  );
  assert.equal(
    of('create or replace trigger if not exists on before update on payroll for each row set @x=1'),
    'payroll',
  );
  assert.equal(of('CREATE TABLE t (id int)'), null);
  assert.equal(of('CREATE TRIGGER tr AFTER INSERT ON (payroll)'), null);
  // A trigger that also reads another table keeps that read.
  assert.deepEqual(
    reads(
      'create trigger tr before insert on t for each row set new.v = (select salary from payroll limit 1)',
    ).sort(),
    ['payroll', 't', 'tr'],
  );
});

test('HANDLER, CHECKSUM TABLE and ANALYZE TABLE read the tables they name', () => {
  const of = (sql: string) => tablesReadByWords(lexMysql(sql, null).statements[0]!.tokens);
  assert.deepEqual(of('HANDLER payroll OPEN AS h'), ['payroll']);
  assert.deepEqual(of('handler hr.`Payroll` read first'), ['hr.Payroll']);
  assert.deepEqual(of('CHECKSUM TABLE payroll, hr.x EXTENDED'), ['payroll', 'hr.x']);
  assert.deepEqual(of('ANALYZE NO_WRITE_TO_BINLOG TABLE payroll PERSISTENT FOR ALL'), ['payroll']);
  assert.deepEqual(of('OPTIMIZE TABLE payroll'), []);
  assert.deepEqual(reads('handler payroll open'), ['payroll']);
});

test('any other statement the parser cannot read reads every name where a table may stand', () => {
  const of = (sql: string) => tablesReadByWords(lexMysql(sql, null).statements[0]!.tokens);
  assert.deepEqual(of('TABLE payroll'), ['payroll']);
  assert.deepEqual(of('SELECT * FROM hr.payroll IGNORE INDEX (PRIMARY)'), ['hr.payroll']);
  assert.deepEqual(of('SELECT * FROM (SELECT 1) x, `payroll` USE INDEX ()'), ['payroll']);
  assert.deepEqual(of('VALUES ((SELECT salary FROM payroll))'), ['payroll']);
  assert.deepEqual(of('SELECT a, COUNT(*) FROM t NATURAL JOIN payroll'), ['t', 'payroll']);
  assert.deepEqual(of('TRUNCATE TABLE payroll'), []);
});
