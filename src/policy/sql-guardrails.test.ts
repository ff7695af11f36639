import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventDraft, JsonObject } from '../core/events.js';
import { SqlGuardrails, type SqlGuardrailsConfig } from './sql-guardrails.js';
import { STATEMENT_FLAGS } from './sql-kinds.js';

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
const st = (
  kind: string,
  extra: Partial<{ hasWhere: boolean; writes: boolean; flags: string[]; nested: boolean }> = {},
): JsonObject => ({
  kind,
  hasWhere: extra.hasWhere ?? false,
  tables: [],
  writes: extra.writes ?? kind !== 'SELECT',
  nested: extra.nested ?? false,
  functions: [],
  settings: [],
  flags: extra.flags ?? [],
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

const strict = { preset: 'strict' as const };
const ruleOf = (d: ReturnType<typeof decide>) => (d.action === 'deny' ? d.rule : 'allow');

test('strict: every statement flag is denied under a rule named after it', () => {
  for (const flag of STATEMENT_FLAGS) {
    assert.equal(ruleOf(decide(strict, draft([st('SELECT', { flags: [flag] })]))), `strict:${flag}`, flag);
    // The same flag on a nested entry (a sql function body, a CTE) is denied too.
    assert.equal(
      ruleOf(decide(strict, draft([st('CREATE'), st('SELECT', { flags: [flag], nested: true })]))),
      `strict:${flag}`,
    );
    // Without the preset, flags alone deny nothing.
    assert.equal(decide({}, draft([st('SELECT', { flags: [flag] })])).action, 'allow');
  }
});

test('strict: DROP, TRUNCATE, unbounded writes and unparseable SQL are denied', () => {
  assert.equal(ruleOf(decide(strict, draft([st('DROP')]))), 'strict:drop');
  assert.equal(ruleOf(decide(strict, draft([st('truncate')]))), 'strict:truncate');
  assert.equal(ruleOf(decide(strict, draft([st('DELETE')]))), 'strict:unbounded_write');
  assert.equal(ruleOf(decide(strict, draft([st('UPDATE')]))), 'strict:unbounded_write');
  assert.equal(
    ruleOf(decide(strict, draft([st('SELECT'), st('DELETE', { nested: true })]))),
    'strict:unbounded_write',
  );
  assert.equal(ruleOf(decide(strict, draft([st('UNKNOWN')]))), 'strict:unparsed');
  // An entry without its flags list cannot be judged by the preset.
  const bare: JsonObject = { kind: 'SELECT', hasWhere: false, tables: [], writes: false, nested: false };
  assert.equal(ruleOf(decide(strict, draft([bare]))), 'strict:unclassified');
  assert.equal(decide({}, draft([bare])).action, 'allow');
});

test('strict: reads and bounded writes still pass', () => {
  for (const s of [
    st('SELECT'),
    st('INSERT'),
    st('UPDATE', { hasWhere: true }),
    st('DELETE', { hasWhere: true }),
    st('MERGE', { hasWhere: true }),
    st('CREATE'),
    st('ALTER'),
    st('SET'),
    st('TRANSACTION'),
    st('COPY'),
  ]) {
    assert.equal(decide(strict, draft([s])).action, 'allow', String(s.kind));
  }
});

test('strict: allow_call lifts the CALL denial and nothing else', () => {
  const rules = { ...strict, allow_call: true };
  assert.equal(decide(rules, draft([st('CALL', { flags: ['call'] })])).action, 'allow');
  assert.equal(ruleOf(decide(rules, draft([st('DO', { flags: ['do_block'] })]))), 'strict:do_block');
  assert.equal(ruleOf(decide(rules, draft([st('DROP')]))), 'strict:drop');
  assert.equal(ruleOf(decide(strict, draft([st('CALL', { flags: ['call'] })]))), 'strict:call');
});

test('explicit settings add to a preset and cannot lift its denials', () => {
  // Adds: ALTER and INSERT denied on top of strict; read_only and group lists still apply.
  assert.equal(
    ruleOf(decide({ ...strict, deny_statements: ['ALTER'] }, draft([st('ALTER')]))),
    'deny_statements:ALTER',
  );
  assert.equal(ruleOf(decide({ ...strict, read_only: true }, draft([st('INSERT')]))), 'read_only');
  const groups = { ...strict, allow_by_group: { dba: ['*'] } };
  assert.equal(ruleOf(decide(groups, draft([st('SELECT')], ['analysts']))), 'allow_by_group');
  // Cannot lift: a group allowed everything, DROP allowed by no deny list, unbounded writes "off".
  assert.equal(ruleOf(decide(groups, draft([st('DROP')], ['dba']))), 'strict:drop');
  assert.equal(
    ruleOf(decide({ ...strict, deny_unbounded_writes: false }, draft([st('DELETE')]))),
    'strict:unbounded_write',
  );
  assert.equal(
    ruleOf(
      decide({ ...groups, deny_statements: [] }, draft([st('SELECT', { flags: ['copy_program'] })], ['dba'])),
    ),
    'strict:copy_program',
  );
  // The explicit rule's name shows when both deny.
  assert.equal(
    ruleOf(decide({ ...strict, deny_unbounded_writes: true }, draft([st('DELETE')]))),
    'deny_unbounded_writes',
  );
});

test('a statement that changes a setting without being a SET meets the rules on SET', () => {
  const setting = (kind: string, scope: string): JsonObject => ({
    ...st(kind, { writes: false }),
    settings: [{ name: 'search_path', value: 'x', dynamic: false, scope }],
  });
  const bySelect = draft([setting('SELECT', 'session')]);
  assert.equal(ruleOf(decide({ deny_statements: ['SET'] }, bySelect)), 'deny_statements:SET');
  assert.equal(
    ruleOf(decide({ deny_statements: ['SET'] }, draft([setting('SELECT', 'transaction')]))),
    'deny_statements:SET',
  );
  const groups = { allow_by_group: { analysts: ['SELECT'], tuners: ['SELECT', 'SET'] } };
  assert.equal(ruleOf(decide(groups, draft([setting('SELECT', 'session')], ['analysts']))), 'allow_by_group');
  assert.equal(decide(groups, draft([setting('SELECT', 'session')], ['tuners'])).action, 'allow');
  // Transaction control, DISCARD and a function's SET clause keep their own kinds.
  for (const [kind, scope] of [
    ['TRANSACTION', 'transaction'],
    ['DISCARD', 'session'],
    ['CREATE', 'function'],
    ['ALTER', 'role'],
  ])
    assert.equal(decide({ deny_statements: ['SET'] }, draft([setting(kind!, scope!)])).action, 'allow', kind);
});
