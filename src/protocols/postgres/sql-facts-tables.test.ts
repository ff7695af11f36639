import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create(2048, { byShape: false });
});

const tables = (sql: string) => c.classify(sql).flatMap((s) => s.tables);

test('tables held under any field are named: views, policies, sequences, references, partitions', () => {
  for (const [sql, expected] of [
    ['CREATE OR REPLACE VIEW payroll AS SELECT 1', ['payroll']],
    ['CREATE POLICY p ON payroll USING (true)', ['payroll']],
    ['ALTER POLICY p ON payroll USING (true)', ['payroll']],
    ['ALTER SEQUENCE payroll_id RESTART', ['payroll_id']],
    // A table bound to another, and a write's own target, are read too (sql-facts-exposed.ts).
    ['CREATE TABLE x (a int REFERENCES payroll (id))', ['x', 'payroll', 'payroll']],
    ['ALTER TABLE a ATTACH PARTITION payroll FOR VALUES IN (1)', ['a', 'payroll', 'a', 'payroll']],
    ['ALTER TABLE a DETACH PARTITION payroll', ['a', 'payroll', 'a', 'payroll']],
    ['DROP POLICY p ON hr.payroll', ['hr.payroll']],
    ['DROP TRIGGER tr ON payroll', ['payroll']],
    ['DROP TABLE payroll, hr.other', ['payroll', 'hr.other']],
    ["COMMENT ON TABLE payroll IS 'x'", ['payroll']],
    ["COMMENT ON COLUMN hr.payroll.salary IS 'x'", ['hr.payroll']],
    ["COMMENT ON TRIGGER tr ON payroll IS 'x'", ['payroll']],
    ["COMMENT ON CONSTRAINT c ON payroll IS 'x'", ['payroll']],
    ["SECURITY LABEL ON TABLE payroll IS 'x'", ['payroll']],
    ["COMMENT ON FUNCTION payroll(int) IS 'x'", []],
  ] as const) {
    assert.deepEqual(tables(sql), expected, sql);
  }
});

test('a CTE hides a table of its name only where PostgreSQL resolves the name to the CTE', () => {
  for (const [sql, expected] of [
    ['WITH payroll AS (SELECT 1) SELECT * FROM payroll', []],
    ['WITH payroll AS (SELECT * FROM payroll) SELECT * FROM payroll', ['payroll']],
    ['WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT * FROM r) SELECT * FROM r', []],
    ['SELECT * FROM payroll WHERE EXISTS (WITH payroll AS (SELECT 1) SELECT 1)', ['payroll']],
    ['WITH a AS (SELECT * FROM payroll), payroll AS (SELECT 1) SELECT * FROM a', ['payroll']],
    ['WITH RECURSIVE a AS (SELECT * FROM payroll), payroll AS (SELECT 1) SELECT * FROM a', []],
    ['WITH payroll AS (SELECT 1) DELETE FROM payroll WHERE id = 1', ['payroll', 'payroll']],
    ['WITH payroll AS (SELECT 1) SELECT * FROM public.payroll', ['public.payroll']],
  ] as const) {
    assert.deepEqual(tables(sql), expected, sql);
  }
});

// A reference to `payroll` put in generated contexts, with whether PostgreSQL reads it as the
// table: the reference model of the scoping rules (sql-facts-tables.ts) the property checks.
type Context = { readonly sql: string; readonly table: boolean };

const leaf = fc.constantFrom<Context>(
  { sql: 'SELECT * FROM payroll', table: true },
  { sql: 'SELECT * FROM public.payroll', table: true },
  { sql: 'SELECT 1 FROM t JOIN payroll USING (id)', table: true },
);

const wrap = (inner: Context): fc.Arbitrary<Context> =>
  fc.constantFrom<Context>(
    // In the scope of a CTE of its name: the CTE, unless schema-qualified.
    {
      sql: `WITH payroll AS (SELECT 1) SELECT * FROM (${inner.sql}) s`,
      table: inner.table && inner.sql.includes('public.payroll'),
    },
    // In the CTE's own body (a plain WITH): the table; WITH RECURSIVE: the CTE.
    { sql: `WITH payroll AS (${inner.sql}) SELECT 1`, table: inner.table },
    {
      sql: `WITH RECURSIVE payroll AS (${inner.sql}) SELECT 1`,
      table: inner.table && inner.sql.includes('public.payroll'),
    },
    // In an earlier sibling's body: the table (plain WITH).
    { sql: `WITH a AS (${inner.sql}), payroll AS (SELECT 1) SELECT * FROM a`, table: inner.table },
    // Beside, not inside, a subquery that defines the CTE: the table.
    {
      sql: `SELECT * FROM (${inner.sql}) s WHERE EXISTS (WITH payroll AS (SELECT 1) SELECT 1)`,
      table: inner.table,
    },
    // Under another CTE's name: no effect.
    { sql: `WITH other AS (SELECT 1) SELECT * FROM (${inner.sql}) s`, table: inner.table },
  );

const context: fc.Arbitrary<Context> = fc
  .tuple(leaf, fc.integer({ min: 0, max: 4 }))
  .chain(([start, depth]) => {
    let arb: fc.Arbitrary<Context> = fc.constant(start);
    for (let i = 0; i < depth; i++) arb = arb.chain(wrap);
    return arb;
  });

test('property: a reference to a table is listed exactly when the server would read the table', () => {
  fc.assert(
    fc.property(context, ({ sql, table }) => {
      const found = tables(sql).some((t) => t === 'payroll' || t === 'public.payroll');
      assert.equal(found, table, sql);
    }),
    { numRuns: 1000 },
  );
});

test('a quoted name with a dot inside stays one part: "public.secrets" is not public.secrets', () => {
  for (const [sql, expected] of [
    ['SELECT * FROM "public.secrets"', ['"public.secrets"']],
    ['SELECT * FROM public."a.b"', ['public."a.b"']],
    ['SELECT * FROM "billing.x".y', ['"billing.x".y']],
    ['SELECT * FROM "Billing"."Invoices"', ['Billing.Invoices']],
    ['DROP TABLE "a.b", x."c.d"', ['"a.b"', 'x."c.d"']],
    ['COMMENT ON COLUMN "hr.x".payroll.salary IS \'x\'', ['"hr.x".payroll']],
    ['SELECT * FROM "a""b.c"', ['"a""b.c"']],
  ] as const) {
    assert.deepEqual(tables(sql), expected, sql);
  }
});

test('a relation named by a regclass text is a table: sequences, sizes, casts', () => {
  for (const [sql, expected] of [
    ["SELECT setval('billing.invoice_seq', 1)", ['billing.invoice_seq']],
    ["SELECT nextval('Billing.Invoice_Seq')", ['billing.invoice_seq']],
    ['SELECT currval(\'"Billing".seq\')', ['Billing.seq']],
    ['SELECT nextval(\' billing . "a.b" \')', ['billing."a.b"']],
    ["SELECT nextval('billing.invoice_seq'::regclass)", ['billing.invoice_seq']],
    ["SELECT pg_catalog.pg_relation_size('payroll')", ['payroll']],
    ["SELECT 'billing.invoices'::regclass", ['billing.invoices']],
    ["SELECT CAST('billing.invoices' AS pg_catalog.regclass)::oid", ['billing.invoices']],
    ["SELECT to_regclass('hr.payroll')", ['hr.payroll']],
    ["SELECT * FROM pgstattuple('hr.payroll')", ['hr.payroll']],
    // …and read by the INSERT, as the nested SELECT of its reads says.
    ["INSERT INTO t VALUES (nextval('billing.s'))", ['t', 'billing.s', 'billing.s']],
    // The server keeps 63 bytes of a name, as it does of an identifier in the statement.
    [`SELECT nextval('billing.${'s'.repeat(70)}')`, [`billing.${'s'.repeat(63)}`]],
    // An OID, a computed name, and a text the server refuses name nothing here.
    ['SELECT nextval(16384)', []],
    ['SELECT nextval($1)', []],
    ["SELECT nextval('a.b.c.d')", []],
    ["SELECT nextval('\"unclosed')", []],
    ["SELECT lower('billing.invoices')", []],
  ] as const) {
    assert.deepEqual(tables(sql), expected, sql);
  }
});

test('a regclass text is never shared through a statement shape', async () => {
  // Shapes stand literals in for one another; a relation's name is not one of them.
  const shaped = await SqlClassifier.create(2048, { byShape: true });
  const named = (sql: string) => shaped.classify(sql).flatMap((s) => s.tables);
  assert.deepEqual(named("SELECT nextval('public.a_seq')"), ['public.a_seq']);
  assert.deepEqual(named("SELECT nextval('billing.invoice_seq')"), ['billing.invoice_seq']);
  assert.deepEqual(named("SELECT 'billing.invoices'::regclass"), ['billing.invoices']);
  assert.deepEqual(named("SELECT 'public.x'::regclass"), ['public.x']);
});
