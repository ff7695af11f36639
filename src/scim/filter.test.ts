// The SCIM filter parser: printed trees parse back to themselves (fast-check), any input at all
// either parses or is refused with invalidFilter (never another error, never a stack overflow), the
// bounds hold, and the providers' real filters mean what they say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import {
  COMPARE_OPS,
  type Filter,
  type FilterValue,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  parseFilter,
} from './filter.js';
import { matchesFilter } from './filter-match.js';

const attrName = fc.constantFrom(
  'userName',
  'externalId',
  'displayName',
  'id',
  'emails',
  'active',
  'name',
  'meta',
);
const subName = fc.option(fc.constantFrom('value', 'type', 'givenName', 'primary'), { nil: null });
const value: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
  fc.constant(null),
);

const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({ op: fc.constant('pr' as const), path: fc.record({ attr: attrName, sub: subName }) }),
  fc.record({
    op: fc.constantFrom(...COMPARE_OPS),
    path: fc.record({ attr: attrName, sub: subName }),
    value,
  }),
);

const tree = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), left: tie('f'), right: tie('f') }),
    fc.record({ op: fc.constant('not' as const), filter: tie('f') }),
  ),
})).f;

/** Prints a tree with full parentheses, so precedence never decides the shape. */
function print(f: Filter): string {
  switch (f.op) {
    case 'and':
    case 'or':
      return `(${print(f.left)} ${f.op} ${print(f.right)})`;
    case 'not':
      return `not (${print(f.filter)})`;
    case 'pr':
      return `${f.path.attr}${f.path.sub ? `.${f.path.sub}` : ''} pr`;
    case 'has':
      return `${f.path.attr}[${print(f.filter)}]`;
    default:
      return `${f.path.attr}${f.path.sub ? `.${f.path.sub}` : ''} ${f.op} ${JSON.stringify(f.value)}`;
  }
}

/** The parser lower-cases attribute names. */
function lower(f: Filter): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { op: f.op, left: lower(f.left), right: lower(f.right) };
    case 'not':
      return { op: 'not', filter: lower(f.filter) };
    case 'has':
      return { op: 'has', path: { attr: f.path.attr.toLowerCase(), sub: null }, filter: lower(f.filter) };
    default:
      return { ...f, path: { attr: f.path.attr.toLowerCase(), sub: f.path.sub?.toLowerCase() ?? null } };
  }
}

function depth(f: Filter): number {
  if (f.op === 'and' || f.op === 'or') return 1 + Math.max(depth(f.left), depth(f.right));
  if (f.op === 'not' || f.op === 'has') return 1 + depth(f.filter);
  return 0;
}

const invalidFilter = (err: unknown) =>
  err instanceof VigilError && err.code === 'scim_invalid' && err.details?.scimType === 'invalidFilter';

test('a printed filter parses back to the same tree (within the bounds)', () => {
  fc.assert(
    fc.property(tree, (f) => {
      const text = print(f);
      fc.pre(depth(f) < MAX_FILTER_DEPTH && text.length <= MAX_FILTER_LENGTH);
      let terms = 0;
      const count = (g: Filter): void => {
        if (g.op === 'and' || g.op === 'or') {
          count(g.left);
          count(g.right);
        } else if (g.op === 'not' || g.op === 'has') count(g.filter);
        else terms++;
      };
      count(f);
      fc.pre(terms <= 32);
      assert.deepEqual(parseFilter(text), lower(f));
    }),
    { numRuns: 500 },
  );
});

test('any input parses or is refused as invalidFilter, never anything else', () => {
  const alphabet = fc.constantFrom(
    ...'()[]" \\aeqnotrpscwgl.:0123456789-tuf'.split(''),
    'and',
    'or',
    'not',
    ' eq ',
    '"x"',
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')),
      ),
      (text) => {
        try {
          parseFilter(text);
        } catch (err) {
          assert.ok(invalidFilter(err), String(err));
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('bounds: length, nesting and comparisons are refused before they cost anything', () => {
  assert.throws(() => parseFilter(`userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`), invalidFilter);
  assert.throws(() => parseFilter(`${'('.repeat(500)}id pr${')'.repeat(500)}`), invalidFilter);
  assert.throws(() => parseFilter(`${'not ('.repeat(200)}id pr${')'.repeat(200)}`), invalidFilter);
  assert.throws(
    () => parseFilter(Array.from({ length: 40 }, (_, i) => `id eq "${i}"`).join(' or ')),
    invalidFilter,
  );
  assert.doesNotThrow(() =>
    parseFilter(`${'('.repeat(MAX_FILTER_DEPTH - 1)}id pr${')'.repeat(MAX_FILTER_DEPTH - 1)}`),
  );
  // The refusal never quotes the input.
  try {
    parseFilter('userName eq "secret-value" and');
  } catch (err) {
    assert.ok(!(err as Error).message.includes('secret-value'));
  }
});

test('injection attempts stay data: quotes, escapes and SQL inside a value are one string', () => {
  const f = parseFilter('userName eq "x\\" or userName pr or \\"" and active eq true');
  assert.equal(f.op, 'and');
  const ada = { userName: 'ada@example.com', active: true };
  assert.equal(matchesFilter(ada, f), false);
  assert.equal(matchesFilter(ada, parseFilter(`userName eq "' OR 1=1 --"`)), false);
  assert.throws(() => parseFilter('userName eq "a" ; drop table scim_users'), invalidFilter);
  assert.throws(() => parseFilter('userName eq unquoted'), invalidFilter);
});

test("the providers' filters: Okta's userName eq, Entra's externalId eq, and the rest of the grammar", () => {
  const ada: JsonObject = {
    id: 'scu_1',
    userName: 'Ada@Example.com',
    externalId: 'e-AB',
    active: true,
    emails: [
      { value: 'ada@work.example', type: 'work', primary: true },
      { value: 'ada@home.example', type: 'home' },
    ],
    name: { givenName: 'Ada' },
  };
  const yes = (text: string) => assert.equal(matchesFilter(ada, parseFilter(text)), true, text);
  const no = (text: string) => assert.equal(matchesFilter(ada, parseFilter(text)), false, text);
  yes('userName eq "ada@example.com"'); // userName is case-insensitive
  yes('externalId eq "e-AB"');
  no('externalId eq "e-ab"'); // externalId is case-exact
  yes('id eq "scu_1"');
  no('id eq "SCU_1"');
  yes('userName sw "ada" and userName ew ".com"');
  yes('userName co "EXAMPLE"');
  yes('name.givenName pr');
  no('title pr');
  yes('emails[type eq "work" and value co "@work"]');
  no('emails[type eq "other"]');
  yes('emails.value eq "ada@home.example"');
  yes('active eq true and not (userName eq "bob")');
  yes('userName eq "bob" or (active eq true and id pr)');
  yes('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ADA@EXAMPLE.COM"');
  yes('USERNAME EQ "ada@example.com"');
  no('userName ne "ada@example.com"');
  assert.deepEqual(parseFilter('a eq 1 or b eq 2 and c eq 3').op, 'or', '"and" binds tighter than "or"');
});
