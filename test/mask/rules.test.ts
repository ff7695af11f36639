// Every rule of the catalogue carries hits and near misses; each is checked against the full set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_RULES, createMasker } from '../../src/mask/index.js';

const masker = createMasker({ fingerprintKey: 'test-key', enabledRules: ['ip-address'] });

test('rule ids are unique kebab-case and every rule has hits and near misses', () => {
  const ids = BUILTIN_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const rule of BUILTIN_RULES) {
    assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok((rule.vectors?.hits.length ?? 0) > 0, `${rule.id} has hits`);
    assert.ok((rule.vectors?.misses.length ?? 0) > 0, `${rule.id} has near misses`);
  }
});

for (const rule of BUILTIN_RULES) {
  test(`${rule.id}: hits are masked, near misses are not`, () => {
    for (const hit of rule.vectors!.hits) {
      const { text, findings } = masker.scanText(hit.text);
      const own = findings.filter((f) => f.ruleId === rule.id);
      assert.ok(own.length > 0, `${rule.id} should match ${JSON.stringify(hit.text)}`);
      if (hit.secret !== undefined) {
        assert.ok(
          own.some((f) => hit.text.slice(f.start, f.end) === hit.secret),
          `${rule.id} should replace exactly the secret in ${JSON.stringify(hit.text)}`,
        );
        assert.ok(!text.includes(hit.secret), 'the secret is gone from the output');
      }
    }
    for (const miss of rule.vectors!.misses) {
      const { findings } = masker.scanText(miss);
      assert.deepEqual(
        findings.filter((f) => f.ruleId === rule.id),
        [],
        `${rule.id} should not match ${JSON.stringify(miss)}`,
      );
    }
  });
}
