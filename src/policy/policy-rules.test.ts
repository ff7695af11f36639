import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policySectionSchema } from '../core/config.js';
import type { EventDraft, Identity, JsonObject } from '../core/events.js';
import { configSchema, PROTOCOLS } from '../protocols/index.js';
import { PolicyRules } from './policy-rules.js';

const ALICE: Identity = { subject: 'alice', kind: 'user', groups: ['dba'] };

function query(
  kinds: string[],
  options: { tables?: string[]; statement?: string; connection?: string; identity?: Identity } = {},
): EventDraft {
  return {
    type: 'db.query',
    sessionId: 's',
    connection: options.connection ?? 'pg-prod',
    identity: options.identity ?? ALICE,
    time: '2025-01-01T00:00:00.000Z',
    payload: {
      statement: options.statement ?? kinds.join('; '),
      classification: {
        statements: kinds.map((kind) => ({
          kind,
          hasWhere: false,
          tables: options.tables ?? [],
          writes: kind !== 'SELECT',
          nested: false,
        })),
      },
    },
  };
}

function chat(body: JsonObject, connection = 'openai'): EventDraft {
  return {
    type: 'llm.request',
    sessionId: 's',
    connection,
    identity: ALICE,
    time: '2025-01-01T00:00:00.000Z',
    payload: { requestId: 'r1', api: 'openai.chat', model: (body.model as string) ?? null, body },
  };
}

/** Rules as they come out of vigil.yaml (defaults and durations applied by the schema). */
function rules(policy: unknown): PolicyRules {
  return new PolicyRules(policySectionSchema.parse(policy), PROTOCOLS.describeAction);
}

const decided = (r: PolicyRules, d: EventDraft) => {
  const v = r.evaluate(d);
  return { action: v.decision.action, by: v.decidedBy, alerts: v.alerts.map((a) => a.rule) };
};

test('the first deciding rule wins; later ones are not consulted', () => {
  const r = rules({
    rules: [
      { name: 'allow-selects', match: { statement_kinds: ['SELECT'] }, action: 'allow' },
      { name: 'deny-all-db', match: { events: ['db.query'] }, action: 'deny' },
      { name: 'never-reached', match: {}, action: 'review', review: { approvers: ['group:dba'] } },
    ],
  });
  assert.deepEqual(decided(r, query(['SELECT'])), { action: 'allow', by: 'allow-selects', alerts: [] });
  assert.deepEqual(decided(r, query(['DELETE'])), { action: 'deny', by: 'deny-all-db', alerts: [] });
  assert.deepEqual(decided(r, chat({ model: 'gpt-4o' })), {
    action: 'review',
    by: 'never-reached',
    alerts: [],
  });
});

test('alert rules are collected and evaluation goes on; alerts after the decider do not fire', () => {
  const r = rules({
    rules: [
      {
        name: 'alert-writes',
        match: { statement_kinds: ['DELETE', 'UPDATE'] },
        action: 'alert',
        reason: 'a write',
      },
      { name: 'alert-prod', match: { connections: ['pg-prod'] }, action: 'alert' },
      { name: 'deny-deletes', match: { statement_kinds: ['DELETE'] }, action: 'deny' },
      { name: 'alert-late', match: {}, action: 'alert' },
    ],
  });
  const verdict = r.evaluate(query(['DELETE']));
  assert.equal(verdict.decision.action, 'deny');
  assert.deepEqual(verdict.alerts, [
    { rule: 'alert-writes', reason: 'a write' },
    { rule: 'alert-prod', reason: 'rule alert-prod matched' },
  ]);
  // With no decider the default decides, and every matching alert (the late one too) is raised.
  assert.deepEqual(decided(r, query(['UPDATE'])), {
    action: 'allow',
    by: 'default',
    alerts: ['alert-writes', 'alert-prod', 'alert-late'],
  });
});

test('the default decides when no rule does; a default deny names itself', () => {
  assert.deepEqual(rules({}).evaluate(query(['SELECT'])), {
    decision: { action: 'allow' },
    decidedBy: 'default',
    alerts: [],
  });
  const verdict = rules({
    default: 'deny',
    rules: [{ name: 'reads', match: { statement_kinds: ['select'] }, action: 'allow' }],
  }).evaluate(query(['INSERT']));
  assert.equal(verdict.decidedBy, 'default');
  assert.equal(verdict.decision.action, 'deny');
  assert.equal(verdict.decision.action === 'deny' && verdict.decision.rule, 'default');
});

test('deny and review carry the reason (given or default); review carries its requirement', () => {
  const r = rules({
    rules: [
      { name: 'no-drops', match: { statement_kinds: ['DROP'] }, action: 'deny' },
      {
        name: 'review-deletes',
        match: { statement_kinds: ['DELETE'] },
        action: 'review',
        reason: 'deletes need a second pair of eyes',
        review: { approvers: ['group:dba', 'user:bob'], required: 2, timeout: '10m' },
      },
    ],
  });
  assert.deepEqual(r.evaluate(query(['DROP'])).decision, {
    action: 'deny',
    rule: 'no-drops',
    reason: 'rule no-drops matched',
  });
  assert.deepEqual(r.evaluate(query(['DELETE'])).decision, {
    action: 'review',
    rule: 'review-deletes',
    reason: 'deletes need a second pair of eyes',
    review: { approvers: ['group:dba', 'user:bob'], required: 2, timeoutMs: 600_000 },
  });
});

test('every given field must match; a list matches when any entry does', () => {
  const r = rules({
    rules: [
      {
        name: 'both',
        match: { connections: ['pg-prod', 'pg-stage'], principals: ['group:dba', 'user:carol'] },
        action: 'deny',
      },
    ],
  });
  assert.equal(decided(r, query(['SELECT'])).by, 'both');
  assert.equal(decided(r, query(['SELECT'], { connection: 'pg-stage' })).by, 'both');
  assert.equal(decided(r, query(['SELECT'], { connection: 'pg-dev' })).by, 'default');
  const bob: Identity = { subject: 'bob', kind: 'user', groups: [] };
  assert.equal(decided(r, query(['SELECT'], { identity: bob })).by, 'default');
  const carol: Identity = { subject: 'carol', kind: 'user', groups: [] };
  assert.equal(decided(r, query(['SELECT'], { identity: carol })).by, 'both');
  const carolService: Identity = { subject: 'carol', kind: 'service', groups: [] };
  assert.equal(
    decided(r, query(['SELECT'], { identity: carolService })).by,
    'default',
    'user: is not service:',
  );
});

test('events and statement kinds: case-insensitive kinds, any statement of the string', () => {
  const r = rules({
    rules: [{ name: 'writes', match: { events: ['db.query'], statement_kinds: ['delete'] }, action: 'deny' }],
  });
  assert.equal(decided(r, query(['SELECT', 'DELETE'])).by, 'writes');
  assert.equal(decided(r, query(['SELECT'])).by, 'default');
  assert.equal(decided(r, chat({ model: 'm' })).by, 'default', 'an llm.request has no statements');
});

test('an allow rule on kinds, tables or tools matches only when every one of the action does', () => {
  const r = rules({
    default: 'deny',
    rules: [
      { name: 'reads', match: { statement_kinds: ['select'] }, action: 'allow' },
      { name: 'billing', match: { tables: ['billing.*'] }, action: 'allow' },
      { name: 'search', match: { tools: ['search'] }, action: 'allow' },
    ],
  });
  assert.equal(decided(r, query(['SELECT'])).by, 'reads');
  assert.equal(decided(r, query(['SELECT', 'DROP'])).by, 'default', 'a DROP after a SELECT');
  assert.equal(decided(r, query(['DELETE'], { tables: ['billing.invoices'] })).by, 'billing');
  assert.equal(
    decided(r, query(['DELETE'], { tables: ['billing.invoices', 'public.salaries'] })).by,
    'default',
    'a table outside billing',
  );
  assert.equal(decided(r, query(['DELETE'])).by, 'default', 'no table at all is not every table allowed');
  const offered = (names: string[]) =>
    chat({ tools: names.map((name) => ({ type: 'function', function: { name } })) });
  assert.equal(decided(r, offered(['search'])).by, 'search');
  assert.equal(decided(r, offered(['search', 'shell'])).by, 'default', 'a second tool offered');
});

test('connection globs are case-sensitive', () => {
  const r = rules({ rules: [{ name: 'prod', match: { connections: ['pg-*'] }, action: 'deny' }] });
  assert.equal(decided(r, query(['SELECT'], { connection: 'pg-prod' })).by, 'prod');
  assert.equal(decided(r, query(['SELECT'], { connection: 'PG-prod' })).by, 'default');
  assert.equal(decided(r, query(['SELECT'], { connection: 'xpg-prod' })).by, 'default', 'anchored');
});

test('tables: a bare pattern matches the last segment, a dotted one the qualified name or an unqualified one; case-insensitive', () => {
  const r = (glob: string) => rules({ rules: [{ name: 't', match: { tables: [glob] }, action: 'deny' }] });
  const on = (tables: string[]) => query(['UPDATE'], { tables });
  assert.equal(decided(r('users'), on(['users'])).by, 't');
  assert.equal(decided(r('users'), on(['public.users'])).by, 't');
  assert.equal(decided(r('USERS'), on(['public.users'])).by, 't');
  assert.equal(decided(r('public.users'), on(['public.users'])).by, 't');
  assert.equal(
    decided(r('public.users'), on(['users'])).by,
    't',
    'no schema written: the server may resolve it there',
  );
  assert.equal(decided(r('billing.*'), on(['billing.invoices'])).by, 't');
  assert.equal(decided(r('billing.*'), on(['public.invoices'])).by, 'default');
  assert.equal(decided(r('user*'), on(['orders', 'public.user_roles'])).by, 't', 'any table may match');
  assert.equal(decided(r('users'), on(['users_archive'])).by, 'default');
});

test('tables: deny, review and alert rules on a schema hold an unqualified name; an allow rule does not admit it', () => {
  const review = { approvers: ['group:dba'] };
  const r = rules({
    default: 'deny',
    rules: [
      { name: 'watch', match: { tables: ['billing.*'] }, action: 'alert' },
      {
        name: 'hold',
        match: { statement_kinds: ['UPDATE'], tables: ['billing.*'] },
        action: 'review',
        review,
      },
      { name: 'no-deletes', match: { statement_kinds: ['DELETE'], tables: ['billing.*'] }, action: 'deny' },
      { name: 'billing-only', match: { tables: ['billing.*'] }, action: 'allow' },
    ],
  });
  const delete_ = r.evaluate(query(['DELETE'], { tables: ['invoices'] }));
  assert.equal(delete_.decidedBy, 'no-deletes');
  assert.deepEqual(
    delete_.alerts.map((a) => a.rule),
    ['watch'],
  );
  assert.equal(r.evaluate(query(['UPDATE'], { tables: ['invoices'] })).decidedBy, 'hold');
  assert.equal(r.evaluate(query(['SELECT'], { tables: ['invoices'] })).decidedBy, 'default', 'not admitted');
  assert.equal(r.evaluate(query(['SELECT'], { tables: ['billing.invoices'] })).decidedBy, 'billing-only');
  assert.equal(r.evaluate(query(['DELETE'], { tables: ['public.invoices'] })).decidedBy, 'default');
});

test('models and tools: case-insensitive globs; a request without tools does not match', () => {
  const models = rules({ rules: [{ name: 'm', match: { models: ['gpt-4*'] }, action: 'deny' }] });
  assert.equal(decided(models, chat({ model: 'GPT-4o' })).by, 'm');
  assert.equal(decided(models, chat({ model: 'claude-3' })).by, 'default');
  // A request naming no model runs the one the upstream picks: a deny rule on models holds it,
  // an allow rule on models does not let it through, and a database statement never matches.
  assert.equal(decided(models, chat({})).by, 'm');
  const allowOnly = rules({
    default: 'deny',
    rules: [{ name: 'small', match: { models: ['demo*'] }, action: 'allow' }],
  });
  assert.equal(decided(allowOnly, chat({ model: 'demo-1' })).by, 'small');
  assert.equal(decided(allowOnly, chat({})).by, 'default');
  assert.equal(decided(models, query(['SELECT'])).by, 'default');
  const tools = rules({ rules: [{ name: 't', match: { tools: ['shell_*'] }, action: 'deny' }] });
  const offered = chat({ tools: [{ type: 'function', function: { name: 'Shell_Exec' } }] });
  assert.equal(decided(tools, offered).by, 't');
  assert.equal(
    decided(tools, chat({ tools: [{ type: 'function', function: { name: 'search' } }] })).by,
    'default',
  );
});

test('an action whose text a pattern cannot read (token ids) matches a restricting pattern, never an allow pattern', () => {
  const tokens = () => ({
    ...chat({}),
    payload: { requestId: 'r', api: 'openai.completions', model: 'm', body: { prompt: [[1, 2]] } },
  });
  const deny = rules({ rules: [{ name: 'p', match: { pattern: 'anything' }, action: 'deny' }] });
  assert.equal(decided(deny, tokens()).by, 'p');
  const allow = rules({ default: 'deny', rules: [{ name: 'a', match: { pattern: '.*' }, action: 'allow' }] });
  assert.equal(decided(allow, tokens()).by, 'a', 'an allow pattern matches the text itself (empty here)');
  const allowWord = rules({
    default: 'deny',
    rules: [{ name: 'a', match: { pattern: 'hello' }, action: 'allow' }],
  });
  assert.equal(decided(allowWord, tokens()).by, 'default');
});

test('pattern: a JS regular expression over the text; (?i) makes it case-insensitive', () => {
  const strict = rules({ rules: [{ name: 'p', match: { pattern: 'password\\s*=' }, action: 'deny' }] });
  const loose = rules({ rules: [{ name: 'p', match: { pattern: '(?i)password\\s*=' }, action: 'deny' }] });
  const prompt = (text: string) => chat({ messages: [{ role: 'user', content: text }] });
  assert.equal(decided(strict, prompt('my password = x')).by, 'p');
  assert.equal(decided(strict, prompt('my PASSWORD = x')).by, 'default');
  assert.equal(decided(loose, prompt('my PASSWORD = x')).by, 'p');
  assert.equal(decided(loose, query(['SELECT'], { statement: "SELECT 1 WHERE Password = 'x'" })).by, 'p');
  assert.equal(decided(loose, prompt('nothing here')).by, 'default');
});

test("an HTTP request's other path readings: deny, review and alert patterns see them, allow patterns do not", () => {
  const request = (path: string, alternate_paths?: string[]): EventDraft => ({
    type: 'http.request',
    sessionId: 's',
    connection: 'api',
    identity: ALICE,
    time: '2025-01-01T00:00:00.000Z',
    payload: {
      request_id: 'r',
      method: 'POST',
      path,
      ...(alternate_paths ? { alternate_paths } : {}),
      query: '',
    },
  });
  const review = rules({
    rules: [
      {
        name: 'payments',
        match: { events: ['http.request'], pattern: '^POST /payments(/|$)' },
        action: 'review',
        review: { approvers: ['group:dba'] },
      },
    ],
  });
  for (const path of ['/payments/1', '/Payments/1', '/PAYMENTS', '/payments/']) {
    assert.equal(decided(review, request(path)).by, 'payments', path);
  }
  // Tomcat reads /public/..;/payments as /payments: the adapter records that reading.
  assert.equal(decided(review, request('/public/..;/payments', ['/payments'])).by, 'payments');
  assert.equal(decided(review, request('/public/x')).by, 'default');
  const allowThenDeny = rules({
    rules: [{ name: 'open', match: { events: ['http.request'], pattern: '^POST /open$' }, action: 'allow' }],
    default: 'deny',
  });
  assert.equal(decided(allowThenDeny, request('/open')).by, 'open');
  assert.equal(decided(allowThenDeny, request('/OPEN')).by, 'default', 'an allow matches only the text');
  // A pattern written with capitals, as an API's docs spell the route: the router ignores case.
  const capitals = rules({
    rules: [
      { name: 'payouts', match: { events: ['http.request'], pattern: '^POST /V1/Payouts' }, action: 'deny' },
      { name: 'open-route', match: { events: ['http.request'], pattern: '^POST /Open$' }, action: 'allow' },
    ],
    default: 'deny',
  });
  for (const path of ['/v1/payouts', '/V1/PAYOUTS/x', '/V1/Payouts']) {
    assert.equal(decided(capitals, request(path)).by, 'payouts', path);
  }
  assert.equal(decided(capitals, request('/Open')).by, 'open-route');
  assert.equal(decided(capitals, request('/open')).by, 'default', 'an allow still matches only as written');
  // Other targets read case as written: a model prompt's pattern keeps its case.
  const prompt = rules({
    rules: [{ name: 'p', match: { events: ['llm.request'], pattern: 'DROP' }, action: 'deny' }],
  });
  const ask = (content: string) => chat({ model: 'm', messages: [{ role: 'user', content }] });
  assert.equal(decided(prompt, ask('drop it')).by, 'default');
  assert.equal(decided(prompt, ask('DROP it')).by, 'p');
});

test("the tools of an action's other readings: deny and review rules see them, allow rules do not", () => {
  // A shell line read from the screen, whose keystrokes tell another line (ssh/action-facts.ts).
  const line = (command: string, keystrokes: string): EventDraft => ({
    type: 'ssh.command',
    sessionId: 's',
    connection: 'box',
    identity: ALICE,
    time: '2025-01-01T00:00:00.000Z',
    payload: { channel: 0, index: 0, command, keystrokes, source: 'screen' },
  });
  const deny = rules({ rules: [{ name: 'no-touch', match: { tools: ['touch'] }, action: 'deny' }] });
  assert.equal(decided(deny, line('echo hi', 'touch x')).by, 'no-touch');
  assert.equal(decided(deny, line('echo hi', 'echo hi there')).by, 'default');
  const allowOnly = rules({
    rules: [{ name: 'listing', match: { tools: ['ls'] }, action: 'allow' }],
    default: 'deny',
  });
  assert.equal(decided(allowOnly, line('ls', 'ls')).by, 'listing');
  assert.equal(
    decided(allowOnly, line('rm -rf x', 'ls')).by,
    'default',
    'an allow matches only the line itself',
  );
});

test('a pattern that does not compile: config_invalid naming the rule, at load and at construction', () => {
  assert.throws(
    () =>
      new PolicyRules(
        {
          default: 'allow',
          rules: [{ name: 'bad-one', description: '', match: { pattern: '(unclosed' }, action: 'deny' }],
        },
        PROTOCOLS.describeAction,
      ),
    (err: unknown) => {
      const e = err as { code?: string; message?: string };
      return e.code === 'config_invalid' && /bad-one/.test(e.message ?? '');
    },
  );
  const parsed = configSchema.safeParse({
    policy: { rules: [{ name: 'bad-one', match: { pattern: '(?i)[a-' }, action: 'deny' }] },
  });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error?.issues[0]?.path, ['policy', 'rules', 0, 'match', 'pattern']);
  assert.ok(
    configSchema.safeParse({
      policy: { rules: [{ name: 'ok', match: { pattern: '(?i)drop\\s+table' }, action: 'deny' }] },
    }).success,
  );
});

test('explain reports every rule, matched or with the first field that failed', () => {
  const r = rules({
    rules: [
      { name: 'a', match: { connections: ['pg-*'], statement_kinds: ['DROP'] }, action: 'alert' },
      { name: 'b', match: { events: ['llm.request'] }, action: 'deny' },
      { name: 'c', match: { principals: ['group:dba'] }, action: 'allow' },
    ],
  });
  assert.deepEqual(r.explain(query(['SELECT'])), [
    { rule: 'a', action: 'alert', matched: false, failed: 'statement_kinds' },
    { rule: 'b', action: 'deny', matched: false, failed: 'events' },
    { rule: 'c', action: 'allow', matched: true, failed: null },
  ]);
});
