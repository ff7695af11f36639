// SCIM filters ignore case as Vigil compares subjects: ASCII case only. Unicode lower-casing maps the
// Kelvin sign (U+212A) onto `k`, so a provider asking for `userName eq "kate@example.com"` before
// creating Kate would be answered with an account spelled `\u212Aate@example.com`, and would link
// Kate (her groups, her deprovisioning) to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFilter } from '../../src/scim/filter.js';
import { matchesFilter } from '../../src/scim/filter-match.js';

test('a userName filter does not match a name that only Unicode lower-casing makes equal', () => {
  const lookalike = { userName: '\u212Aate@example.com', displayName: '\u0130van' };
  assert.equal(matchesFilter(lookalike, parseFilter('userName eq "kate@example.com"')), false);
  assert.equal(matchesFilter(lookalike, parseFilter('userName sw "kate"')), false);
  assert.equal(matchesFilter(lookalike, parseFilter('displayName eq "i\u0307van"')), false);
  assert.equal(matchesFilter(lookalike, parseFilter('userName eq "\u212Aate@EXAMPLE.com"')), true);
  assert.equal(
    matchesFilter({ userName: 'Kate@Example.com' }, parseFilter('userName eq "kate@example.com"')),
    true,
  );
});
