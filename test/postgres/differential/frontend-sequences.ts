// The frontend message sequences the differential test sends: a small model of the messages, a
// fast-check generator over a pool of statement texts chosen to stress what a proxy must track
// (statement and portal names, SQL-level PREPARE sharing the protocol's namespace, settings that
// change how the server reads text), the wire encoding, and a readable rendering for failures.
import fc from 'fast-check';
import { serialize } from 'pg-protocol';

export type FrontendOp =
  | { readonly kind: 'parse'; readonly name: string; readonly text: string }
  | {
      readonly kind: 'bind';
      readonly portal: string;
      readonly statement: string;
      readonly params: readonly string[];
    }
  | { readonly kind: 'execute'; readonly portal: string; readonly rows: number }
  | { readonly kind: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'sync' }
  | { readonly kind: 'flush' }
  | { readonly kind: 'query'; readonly text: string };

export interface Batch {
  readonly ops: readonly FrontendOp[];
  /** Wait for the replies (ReadyForQuery) before the next batch, or send it straight after. */
  readonly wait: boolean;
}

export type Sequence = readonly Batch[];

/** `p` is also the name SQL-level PREPARE uses: the two share one namespace on the server. */
export const STATEMENT_NAMES = ['', 's1', 's2', 'p'] as const;
export const PORTAL_NAMES = ['', 'c1'] as const;

/** Statement texts, grouped so the generator can favour the ones a guardrail must see. */
export const STATEMENT_POOL = {
  plain: [
    'SELECT 1',
    'SELECT v FROM t WHERE id = $1',
    'SELECT $1::text, $2::text',
    'SELECT id FROM t ORDER BY id',
    "INSERT INTO t (id, v) VALUES ($1, 'new')",
    "UPDATE t SET v = 'upd' WHERE id = 1",
    'DELETE FROM t WHERE id = 2',
    'SELECT 1; SELECT 2',
    '',
  ],
  guarded: ['DROP TABLE t', 'TRUNCATE t'],
  invalid: ['SELEC 1', "SELECT 'unterminated"],
  namespace: [
    'PREPARE p AS SELECT 42',
    'PREPARE p AS DELETE FROM t WHERE id = 3',
    'EXECUTE p',
    'DEALLOCATE p',
    'DISCARD ALL',
    'BEGIN',
    'ROLLBACK',
  ],
  settings: ['SET standard_conforming_strings = off', "SET client_encoding TO 'GBK'"],
  lexical: [
    "SELECT E'a\\'b'",
    "SELECT 'back\\slash'",
    // One SELECT with standard_conforming_strings on; a SELECT and a DROP (a TRUNCATE) with it off.
    "SELECT 'x\\'' ; DROP TABLE t; --'",
    "SELECT 'y\\'' ; TRUNCATE t; --'",
    "SELECT $$it's; DROP TABLE t$$",
    'SELECT $q$;TRUNCATE t;$q$',
    "SELECT 'héllo ✓ 中文'",
    "SELECT 'ü\\' ; DROP TABLE t; --'",
    "/* c /* nested */ */ SELECT 'c'; -- tail\nSELECT 3",
  ],
} as const;

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STATEMENT_POOL.plain) },
  { weight: 3, arbitrary: fc.constantFrom(...STATEMENT_POOL.guarded) },
  { weight: 1, arbitrary: fc.constantFrom(...STATEMENT_POOL.invalid) },
  { weight: 2, arbitrary: fc.constantFrom(...STATEMENT_POOL.namespace) },
  { weight: 1, arbitrary: fc.constantFrom(...STATEMENT_POOL.settings) },
  { weight: 2, arbitrary: fc.constantFrom(...STATEMENT_POOL.lexical) },
);
const statementName = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.constant('s1') },
  { weight: 1, arbitrary: fc.constantFrom(...STATEMENT_NAMES) },
);
const portalName = fc.constantFrom(...PORTAL_NAMES);
const target = fc.constantFrom<'S' | 'P'>('S', 'P');

export const frontendOp: fc.Arbitrary<FrontendOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('parse' as const), name: statementName, text }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('bind' as const),
      portal: portalName,
      statement: statementName,
      params: fc.array(fc.constantFrom('1', '2', '3', 'x', 'ü'), { maxLength: 2 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('execute' as const),
      portal: portalName,
      rows: fc.constantFrom(0, 0, 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('describe' as const), target, name: statementName }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), target, name: statementName }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'sync' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('query' as const), text }) },
);

export const sequence: fc.Arbitrary<Sequence> = fc.array(
  fc.record({ ops: fc.array(frontendOp, { minLength: 1, maxLength: 8 }), wait: fc.boolean() }),
  { minLength: 1, maxLength: 6 },
);

export function encode(op: FrontendOp): Buffer {
  switch (op.kind) {
    case 'parse':
      return serialize.parse({ name: op.name, text: op.text });
    case 'bind':
      return serialize.bind({ portal: op.portal, statement: op.statement, values: [...op.params] });
    case 'execute':
      return serialize.execute({ portal: op.portal, rows: op.rows });
    case 'describe':
      return serialize.describe({ type: op.target, name: op.name });
    case 'close':
      return serialize.close({ type: op.target, name: op.name });
    case 'sync':
      return serialize.sync();
    case 'flush':
      return serialize.flush();
    case 'query':
      return serialize.query(op.text);
  }
}

const q = (s: string) => JSON.stringify(s);

export function renderOp(op: FrontendOp): string {
  switch (op.kind) {
    case 'parse':
      return `Parse(${q(op.name)}, ${q(op.text)})`;
    case 'bind':
      return `Bind(portal ${q(op.portal)}, statement ${q(op.statement)}, params ${JSON.stringify(op.params)})`;
    case 'execute':
      return `Execute(${q(op.portal)}${op.rows ? `, rows ${op.rows}` : ''})`;
    case 'describe':
    case 'close':
      return `${op.kind === 'close' ? 'Close' : 'Describe'}(${op.target} ${q(op.name)})`;
    case 'sync':
      return 'Sync';
    case 'flush':
      return 'Flush';
    case 'query':
      return `Query(${q(op.text)})`;
  }
}

export function renderSequence(seq: Sequence): string {
  return seq
    .map(
      (b, i) =>
        `  batch ${i + 1}${b.wait ? ' (then wait for ReadyForQuery)' : ''}:\n${b.ops.map((o) => `    ${renderOp(o)}`).join('\n')}`,
    )
    .join('\n');
}

/** Texts Vigil is expected to refuse or pin (guardrails deny DROP and TRUNCATE): no transparency check then. */
const INTERVENED = /drop|truncate|client_encoding|standard_conforming_strings/i;

export function vigilMayIntervene(seq: Sequence): boolean {
  return seq.some((b) =>
    b.ops.some((o) => (o.kind === 'parse' || o.kind === 'query') && INTERVENED.test(o.text)),
  );
}

const op = {
  parse: (name: string, text: string): FrontendOp => ({ kind: 'parse', name, text }),
  bind: (portal: string, statement: string, params: string[] = []): FrontendOp => ({
    kind: 'bind',
    portal,
    statement,
    params,
  }),
  execute: (portal = ''): FrontendOp => ({ kind: 'execute', portal, rows: 0 }),
  query: (text: string): FrontendOp => ({ kind: 'query', text }),
  sync: { kind: 'sync' } as FrontendOp,
};

/**
 * Drifts found before, run first in every run so they stay caught whatever the seed draws:
 * a failed re-Parse of a named statement, SQL PREPARE taking a protocol statement name, and the
 * two settings that change how the server reads the same bytes.
 */
export const KNOWN_DRIFTS: readonly Sequence[] = [
  [
    { ops: [op.parse('s1', 'DROP TABLE t'), op.sync, op.parse('s1', 'SELECT 1'), op.sync], wait: true },
    { ops: [op.bind('', 's1'), op.execute(), op.sync], wait: true },
  ],
  [
    { ops: [op.query('PREPARE p AS DELETE FROM t WHERE id = 3')], wait: true },
    { ops: [op.bind('c1', 'p'), op.execute('c1'), op.sync], wait: true },
  ],
  [
    {
      ops: [op.query('SET standard_conforming_strings = off'), op.query("SELECT 'x\\'' ; DROP TABLE t; --'")],
      wait: true,
    },
  ],
  [{ ops: [op.query("SET client_encoding TO 'GBK'"), op.query("SELECT 'héllo ✓ 中文'")], wait: true }],
  [
    { ops: [op.parse('s1', 'TRUNCATE t'), op.sync], wait: false },
    {
      ops: [op.parse('s1', "SELECT 'unterminated"), op.sync, op.bind('', 's1'), op.execute(), op.sync],
      wait: true,
    },
  ],
];
