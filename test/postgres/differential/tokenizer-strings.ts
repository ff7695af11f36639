// SQL-ish strings for the tokenizer check: harmless statements (nothing that could fail at run
// time) built from the lexical pieces where a tokenizer can disagree with the server's: quotes and
// doubled quotes, backslashes, E'' and U&'' strings, $$ and $tag$ quoting, -- and nested /* */
// comments, quoted identifiers, and semicolons that may or may not end a statement.
import fc from 'fast-check';

/** Characters that change how a lexer reads what follows; no NUL (a Query cannot carry one). */
const TRICKY = [
  "'",
  "''",
  '\\',
  '"',
  ';',
  '$',
  '$$',
  '$q$',
  '--',
  '/*',
  '*/',
  '\n',
  ' ',
  'a',
  'é',
  '0',
  'E',
  'U&',
];

const body = fc.array(fc.constantFrom(...TRICKY), { maxLength: 6 }).map((parts) => parts.join(''));
const plainBody = fc.stringMatching(/^[a-z0-9 ;]{0,6}$/);

const literal: fc.Arbitrary<string> = fc.oneof(
  plainBody.map((s) => `'${s}'`),
  body.map((s) => `'${s.replaceAll("'", "''")}'`),
  body.map((s) => `'${s}'`),
  body.map((s) => `E'${s}'`),
  fc.constantFrom(
    String.raw`E'\''`,
    String.raw`E'\\'`,
    String.raw`E'\x41'`,
    String.raw`E'\u00e9'`,
    String.raw`E'\xff'`,
  ),
  fc.constantFrom(
    String.raw`U&'\0041'`,
    String.raw`U&'d\0061t\+000061'`,
    String.raw`U&'\zzzz'`,
    "U&'!0041' UESCAPE '!'",
  ),
  // Numbers whose lexing changed across server versions (hex and underscores, junk after digits).
  fc.constantFrom('0x1F', '1_000', '123abc', '0b101', '1e', '.5', '1.e2', '0o17'),
  body.map((s) => `$$${s}$$`),
  body.map((s) => `$q$${s}$q$`),
  body.map((s) => `$q$${s}$Q$`),
);

const comment: fc.Arbitrary<string> = fc.oneof(
  body.map((s) => `-- ${s.replaceAll('\n', ' ')}\n`),
  body.map((s) => `/* ${s} */`),
  body.map((s) => `/* a /* ${s} */ b */`),
  body.map((s) => `/* ${s}`),
);

const identifier = fc.oneof(
  fc.constantFrom('a', 'x1', 'col'),
  // A Unicode identifier whose escape character is the literal after UESCAPE (valid or not).
  fc.constantFrom(`U&"!0061" UESCAPE '!'`, `U&"!0061" UESCAPE 'zz'`, `U&"a" UESCAPE '+'`),
  body.map((s) => `"${s.replaceAll('"', '""') || 'q'}"`),
);

const statement: fc.Arbitrary<string> = fc.oneof(
  fc.constant('SELECT 1'),
  literal.map((l) => `SELECT ${l}`),
  fc.tuple(literal, identifier).map(([l, i]) => `SELECT ${l} AS ${i}`),
  literal.map((l) => `SET application_name = ${l}`),
  fc.constant('SHOW application_name'),
  fc.constant('RESET application_name'),
  fc.constant('VALUES (1), (2)'),
);

const gap = fc.oneof(
  { weight: 4, arbitrary: fc.constant(' ') },
  { weight: 1, arbitrary: comment },
  { weight: 1, arbitrary: fc.constant('\n') },
);

/** Statements joined by semicolons with comments between, or (sometimes) a raw soup of tokens. */
export const sqlishString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(gap, statement, gap, fc.constantFrom(';', ';', ' ;;', '')), {
        minLength: 1,
        maxLength: 3,
      })
      .map((parts) => parts.map(([a, s, b, end]) => `${a}${s}${b}${end}`).join('')),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom('SELECT', '1', ',', ';', 'AS'), literal, comment, identifier), {
        minLength: 1,
        maxLength: 6,
      })
      .map((parts) => parts.join(' ')),
  },
);
