// An anchored rule is tried only near its literals (scanner.ts): every match of its pattern must
// start at most `back` characters before one of them, or the literals would hide matches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES } from '../../src/mask/index.js';
import { ALPHABETS, synth } from '../../src/mask/synthetic.js';
import type { DetectorRule } from '../../src/mask/types.js';

const anchored = BUILTIN_RULES.filter((r) => r.anchors !== undefined);

/** Matches of the rule's pattern that start where no literal of its anchors is within reach. */
function unanchoredMatches(rule: DetectorRule, text: string): number[] {
  const re = new RegExp(rule.pattern, 'g');
  const missed: number[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const at = m.index;
    const reached = rule.anchors!.some((a) =>
      a.literals.some((literal) => {
        for (let p = at; p <= at + (a.back ?? 0); p++) {
          const seen = text.slice(p, p + literal.length);
          if (a.caseInsensitive ? seen.toLowerCase() === literal.toLowerCase() : seen === literal)
            return true;
        }
        return false;
      }),
    );
    if (!reached) missed.push(at);
    re.lastIndex = at + 1;
  }
  return missed;
}

test('every match of an anchored rule in its vectors starts within reach of a literal', () => {
  for (const rule of anchored) {
    for (const text of [...rule.vectors!.hits.map((h) => h.text), ...rule.vectors!.misses]) {
      assert.deepEqual(unanchoredMatches(rule, text), [], `${rule.id} in ${JSON.stringify(text)}`);
    }
  }
});

test('every match of an anchored rule in assembled keyword text starts within reach of a literal', () => {
  const words = ['api', 'Api', 'API', 'access', 'ACCESS', 'auth', 'Auth', 'private', 'PRIVATE', 'signing'];
  const more = ['key', 'Key', 'KEY', '_', '-', 'secret', 'token', 'credential', 'password', 'pass', 'pwd'];
  const glue = ['=', ': ', '"', "'", ' = "', '&', '?', ';', ' ', 'https://', '@', 'Bearer ', 'Basic '];
  const value = [synth(32, ALPHABETS.alnum, 'an-1'), synth(40, ALPHABETS.base64, 'an-2'), 'ghp_', 'AKIA'];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...words, ...more, ...glue, ...value), { maxLength: 14 }),
      (parts) => {
        const text = parts.join('');
        for (const rule of anchored)
          assert.deepEqual(unanchoredMatches(rule, text), [], `${rule.id} in ${text}`);
      },
    ),
    { numRuns: 1500 },
  );
});
