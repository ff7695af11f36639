// PATCH against a reference model: any sequence of member additions and removals, in the shapes Okta
// and Entra ID send (add with a members array, remove by `members[value eq "id"]`, Entra's remove
// with the ids in `value`, ops in any case), leaves exactly the members a set would hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { applyPatch } from './patch.js';
import { GROUP_SHAPE, SCHEMA, USER_SHAPE } from './scim-schema.js';

const ids = fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5');
const opCase = fc.constantFrom(
  (s: string) => s,
  (s: string) => s[0]!.toUpperCase() + s.slice(1),
  (s: string) => s.toUpperCase(),
);

type Step = { kind: 'add' | 'remove-filter' | 'remove-value'; ids: string[]; caseOf: (s: string) => string };
const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('add' as const, 'remove-filter' as const, 'remove-value' as const),
  ids: fc.uniqueArray(ids, { minLength: 1, maxLength: 3 }),
  caseOf: opCase,
});

function operation(s: Step): JsonObject[] {
  switch (s.kind) {
    case 'add':
      return [{ op: s.caseOf('add'), path: 'members', value: s.ids.map((value) => ({ value })) }];
    case 'remove-filter':
      return s.ids.map((id) => ({ op: s.caseOf('remove'), path: `members[value eq "${id}"]` }));
    case 'remove-value':
      return [{ op: s.caseOf('remove'), path: 'members', value: s.ids.map((value) => ({ value })) }];
  }
}

test('member additions and removals agree with a set', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
      let doc: JsonObject = { schemas: [SCHEMA.group], displayName: 'g', members: [] };
      const model = new Set<string>();
      for (const s of steps) {
        doc = applyPatch(doc, GROUP_SHAPE, { schemas: [SCHEMA.patchOp], Operations: operation(s) }, 'gid');
        for (const id of s.ids) s.kind === 'add' ? model.add(id) : model.delete(id);
      }
      const members = (doc.members as { value: string }[]).map((m) => m.value);
      assert.deepEqual([...members].sort(), [...model].sort());
      assert.equal(new Set(members).size, members.length, 'no duplicates');
    }),
    { numRuns: 400 },
  );
});

test('a PATCH that fails leaves the document untouched', () => {
  const doc: JsonObject = {
    schemas: [SCHEMA.user],
    userName: 'ada',
    active: true,
    name: { givenName: 'Ada' },
  };
  const copy = structuredClone(doc);
  assert.throws(
    () =>
      applyPatch(
        doc,
        USER_SHAPE,
        {
          schemas: [SCHEMA.patchOp],
          Operations: [
            { op: 'replace', path: 'name.givenName', value: 'Eve' },
            { op: 'replace', path: 'id', value: 'x' },
          ],
        },
        'uid',
      ),
    (err: unknown) => err instanceof VigilError && err.details?.scimType === 'mutability',
  );
  assert.deepEqual(doc, copy);
});
