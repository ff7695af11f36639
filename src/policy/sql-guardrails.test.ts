import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventDraft, JsonObject } from '../core/events.js';
import { SqlGuardrails, type SqlGuardrailsConfig } from './sql-guardrails.js';

const base: SqlGuardrailsConfig = {
  deny_statements: [],
  deny_unbounded_writes: false,
  read_only: false,
  allow_by_group: {},
};

function draft(statements: JsonObject[], groups: string[] = [], connection = 'db'): EventDraft {
  return {
    type: 'db.query',
    sessionId: 's',
    connection,
    identity: { subject: 'alice', kind: 'user', groups },
    time: '2025-01-01T00:00:00.000Z',
    payload: { statement: 'x', classification: { statements } },
  };
}
const st = (kind: string, extra: Partial<{ hasWhere: boolean; writes: boolean }> = {}): JsonObject => ({
  kind,
  hasWhere: extra.hasWhere ?? false,
  tables: [],
  writes: extra.writes ?? kind !== 'SELECT',
  nested: false,
});
const decide = (rules: Partial<SqlGuardrailsConfig>, d: EventDraft) =>
  new SqlGuardrails(new Map([['db', { ...base, ...rules }]])).evaluate(d);

test('denied kinds name the rule; other connections and event types are untouched', () => {
  assert.deepEqual(decide({ deny_statements: ['drop'] }, draft([st('DROP')])).action, 'deny');
  assert.equal(
    (decide({ deny_statements: ['DROP'] }, draft([st('DROP')])) as { rule: string }).rule,
    'deny_statements:DROP',
  );
  assert.equal(decide({ deny_statements: ['DROP'] }, draft([st('DROP')], [], 'other')).action, 'allow');
  assert.equal(
    decide({ deny_statements: ['DROP'] }, { ...draft([st('DROP')]), type: 'db.result' }).action,
    'allow',
  );
});

test('one denied statement refuses the whole string, and the reason says which', () => {
  const d = decide({ deny_statements: ['TRUNCATE'] }, draft([st('SELECT'), st('TRUNCATE')]));
  assert.equal(d.action, 'deny');
  assert.match((d as { reason: string }).reason, /statement 2 of 2/);
});

test('unbounded writes', () => {
  const rules = { deny_unbounded_writes: true };
  assert.equal(decide(rules, draft([st('DELETE')])).action, 'deny');
  assert.equal(decide(rules, draft([st('UPDATE')])).action, 'deny');
  assert.equal(decide(rules, draft([st('DELETE', { hasWhere: true })])).action, 'allow');
  assert.equal(decide(rules, draft([st('INSERT')])).action, 'allow');
});

test('read-only allows reads only; UNKNOWN (unparseable) is denied there', () => {
  const rules = { read_only: true };
  assert.equal(decide(rules, draft([st('SELECT')])).action, 'allow');
  assert.equal(decide(rules, draft([st('SELECT'), st('INSERT')])).action, 'deny');
  assert.equal(decide(rules, draft([st('UNKNOWN')])).action, 'deny');
  assert.equal(decide(rules, draft([st('SET', { writes: false })])).action, 'deny');
  assert.equal(decide({}, draft([st('UNKNOWN')])).action, 'allow');
});

test('group allow-lists: union of the groups, * for anything, nobody outside the listed groups', () => {
  const rules = { allow_by_group: { analysts: ['SELECT'], dba: ['*'] } };
  assert.equal(decide(rules, draft([st('SELECT')], ['analysts'])).action, 'allow');
  assert.equal(decide(rules, draft([st('DELETE')], ['analysts'])).action, 'deny');
  assert.equal(decide(rules, draft([st('DROP')], ['analysts', 'dba'])).action, 'allow');
  assert.equal(decide(rules, draft([st('SELECT')], ['other'])).action, 'deny');
});

test('a db.query without classification is denied on a guarded connection', () => {
  const d = { ...draft([]), payload: { statement: 'x' } };
  assert.equal(decide({}, d).action, 'deny');
});
