import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { policySectionSchema } from '../core/config.js';
import { EVENT_TYPES, type EventDraft, type JsonObject } from '../core/events.js';
import { PROTOCOLS } from '../protocols/index.js';
import { globMatcher, PolicyRules } from './policy-rules.js';

/** The textbook glob match, by dynamic programming over (pattern, value) positions. */
function referenceGlob(glob: string, value: string): boolean {
  const g = [...glob];
  const v = [...value];
  // can[i][j]: glob from i matches value from j.
  const can = Array.from({ length: g.length + 1 }, () => new Array<boolean>(v.length + 1).fill(false));
  can[g.length]![v.length] = true;
  for (let i = g.length - 1; i >= 0; i--) {
    for (let j = v.length; j >= 0; j--) {
      can[i]![j] =
        g[i] === '*'
          ? can[i + 1]![j]! || (j < v.length && can[i]![j + 1]!)
          : j < v.length && g[i] === v[j] && can[i + 1]![j + 1]!;
    }
  }
  return can[0]![0]!;
}

// Few distinct characters so that matches are common; regex metacharacters to catch escaping slips.
const alphabet = fc.constantFrom('a', 'b', '.', '-', '(', '[', '\\', '$', '?', '+', '\n');
const text = fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join(''));
const glob = fc.array(fc.oneof(alphabet, fc.constant('*')), { maxLength: 8 }).map((cs) => cs.join(''));

test('glob matching agrees with a reference matcher', () => {
  fc.assert(
    fc.property(glob, text, (g, v) => {
      assert.equal(globMatcher(g, false)(v), referenceGlob(g, v), JSON.stringify({ g, v }));
    }),
    { numRuns: 5000 },
  );
});

test('a case-insensitive glob matches exactly when the lower-cased forms do', () => {
  const mixed = fc
    .array(fc.constantFrom('a', 'B', 'b', 'A', '*', '-'), { maxLength: 8 })
    .map((cs) => cs.join(''));
  fc.assert(
    fc.property(mixed, mixed, (g, v) => {
      assert.equal(globMatcher(g, true)(v), referenceGlob(g.toLowerCase(), v.toLowerCase()));
    }),
  );
});

const EVERY_FIELD = policySectionSchema.parse({
  default: 'deny',
  rules: [
    { name: 'alert', match: { pattern: '(?i)secret' }, action: 'alert' },
    { name: 'kinds', match: { statement_kinds: ['DROP'], tables: ['*.users', 'orders'] }, action: 'deny' },
    {
      name: 'model',
      match: { models: ['gpt-*'], tools: ['shell*'] },
      action: 'review',
      review: { approvers: ['*'] },
    },
    {
      name: 'who',
      match: { connections: ['pg-*'], principals: ['group:dba'], events: ['db.query'] },
      action: 'allow',
    },
  ],
});

const draftArb = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  connection: fc.constantFrom('pg-prod', 'openai'),
  groups: fc.array(fc.constantFrom('dba', 'dev'), { maxLength: 2 }),
  payload: fc.dictionary(
    fc.constantFrom(
      'statement',
      'classification',
      'body',
      'model',
      'command',
      'tool',
      'arguments',
      'method',
      'path',
    ),
    fc.jsonValue({ maxDepth: 6 }),
  ),
});

test('evaluation never throws on arbitrary JSON payloads, and facts keep their shapes', () => {
  const rules = new PolicyRules(EVERY_FIELD, PROTOCOLS.describeAction);
  fc.assert(
    fc.property(draftArb, ({ type, connection, groups, payload }) => {
      const draft: EventDraft = {
        type,
        sessionId: 's',
        connection,
        identity: { subject: 'alice', kind: 'user', groups },
        time: '2025-01-01T00:00:00.000Z',
        payload: payload as JsonObject,
      };
      const verdict = rules.evaluate(draft);
      assert.ok(['allow', 'deny', 'review'].includes(verdict.decision.action));
      assert.equal(rules.explain(draft).length, 4);
      const facts = PROTOCOLS.describeAction(draft.type, draft.payload);
      assert.equal(typeof facts.text, 'string');
      assert.ok(facts.model === null || typeof facts.model === 'string');
      for (const list of [facts.statementKinds, facts.tables, facts.tools])
        assert.ok(list.every((s) => typeof s === 'string'));
    }),
    { numRuns: 2000 },
  );
});
