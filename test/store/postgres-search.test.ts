// Session search on PostgreSQL matches every character literally: the LIKE pattern built from a
// needle, run by the real server against payload text, says "contains" exactly when the JSON text
// of the payload contains the JSON text of the needle (ASCII letters ignoring case, as ILIKE does).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { likePatternFor } from '../../src/store/postgres/session-search.js';
import { withPassword } from '../support/postgres-server.js';
import { closeSharedTestPostgres, sharedTestPostgres } from '../support/postgres-store.js';

after(() => closeSharedTestPostgres());

/** Characters that stress LIKE and JSON: wildcards, the escape, quotes, controls, cased and caseless letters. */
const tricky = fc.constantFrom(
  '%',
  '_',
  '\\',
  '"',
  "'",
  'a',
  'A',
  'b',
  'B',
  'z',
  '\n',
  '\t',
  '\u0001',
  ' ',
  '✓',
  '😀',
  '[',
  '*',
  '?',
  '.',
);
const text = (max: number) => fc.array(tricky, { maxLength: max }).map((cs) => cs.join(''));
const asciiFold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

test('property: the search pattern matches exactly the payloads whose text contains the needle', async () => {
  const server = await sharedTestPostgres();
  const client = new pg.Client({ connectionString: withPassword(server.url, server.password) });
  await client.connect();
  try {
    await fc.assert(
      fc.asyncProperty(
        text(6).filter((s) => s.length > 0),
        text(12),
        text(12),
        async (needle, before, rest) => {
          // Half the cases hold the needle (perhaps in another case), half are whatever came out.
          const payloadText = canonicalJson({
            prompt: `${before}${needle.toUpperCase()}${rest}`,
            other: before,
          });
          const haystack = canonicalJson({ prompt: `${before}${rest}` });
          for (const stored of [payloadText, haystack]) {
            const { rows } = await client.query("SELECT $1::text ILIKE $2 ESCAPE E'\\\\' AS found", [
              stored,
              likePatternFor(needle),
            ]);
            const expected = asciiFold(stored).includes(asciiFold(JSON.stringify(needle).slice(1, -1)));
            assert.equal((rows[0] as { found: boolean }).found, expected, JSON.stringify({ stored, needle }));
          }
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    await client.end();
  }
});
