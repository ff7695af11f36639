// /metrics on a real gateway in front of the stand-in model, driven by the official openai client:
// counts move as actions are allowed, denied and held, the ledger grows, a secret in a prompt is
// counted by its rule, and nothing a client sent (prompts, the secret, tokens) appears in a scrape.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { countOf, labelValues, type Scrape, sampleValue, scrape, scrapeUntil } from './scrape.js';

const UPSTREAM_KEY = 'sk-upstream-metrics-0123456789abcdef';
const SCRAPE_TOKEN = 'scrape-tok-5f2a9c7e1b3d4f60a8e2';
// A GitHub token shape the masker knows (github-token); never a real credential.
const SECRET = 'ghp_Zq8Rt3Lm0Xv7Bn2Kc5Wd9Hf1Jp4Sg6Ty8Ua3E';
const PROMPTS = {
  allowed: 'Name three prime numbers, please.',
  secret: `My deploy key is ${SECRET}, keep it safe.`,
  denied: 'Tell me about the forbidden-topic in detail.',
  held: 'Summarise the production incident of last night.',
};

let model: DemoModel;
let gateway: TestGateway;
let client: OpenAI;
const scrapes: Scrape[] = [];

async function scrapeAs(token: string): Promise<Scrape> {
  const s = await scrape(gateway.url, token);
  scrapes.push(s);
  return s;
}

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: UPSTREAM_KEY });
  process.env.VIGIL_TEST_METRICS_UPSTREAM_KEY = UPSTREAM_KEY;
  process.env.VIGIL_TEST_METRICS_TOKEN = SCRAPE_TOKEN;
  gateway = await startTestGateway({
    metrics: { enabled: true, scrape_token: 'env:VIGIL_TEST_METRICS_TOKEN' },
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_METRICS_UPSTREAM_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    policy: {
      rules: [
        { name: 'no-forbidden-topic', match: { pattern: 'forbidden-topic' }, action: 'deny' },
        {
          name: 'review-production',
          match: { events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '2m' },
        },
      ],
    },
  });
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

const ask = (content: string) =>
  client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content }] });

const actions = (s: Scrape, outcome: string) =>
  sampleValue(s, 'vigil_actions_total', { connection: 'oa', kind: 'llm.request', outcome });

async function refusal(headers: Record<string, string>, method = 'GET') {
  const res = await fetch(`${gateway.url}/metrics`, { method, headers });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, header: res.headers.get('x-vigil-error'), code: body.error?.code };
}

test('without a credential, with a wrong one, or as a non-admin: refused with a stable code', async () => {
  assert.deepEqual(await refusal({}), { status: 401, header: 'auth_missing', code: 'auth_missing' });
  assert.deepEqual(await refusal({ authorization: 'Bearer not-the-scrape-token' }), {
    status: 401,
    header: 'auth_invalid',
    code: 'auth_invalid',
  });
  for (const token of [TOKENS.bob, TOKENS.audrey]) {
    assert.deepEqual(await refusal({ authorization: `Bearer ${token}` }), {
      status: 403,
      header: 'forbidden_role',
      code: 'forbidden_role',
    });
  }
  assert.equal((await refusal({ authorization: `Bearer ${SCRAPE_TOKEN}` }, 'POST')).code, 'route_unknown');
});

test('Vigil tokens from sign-in: the admin role may scrape; a user role or an expired token may not', async () => {
  const issue = async (roles: string[], ttlMs = 60_000, at = Date.now()) =>
    (await gateway.vigilTokens.issue({ subject: 'sso-person@example.com', groups: [], roles, ttlMs }, at))
      .token;
  const admin = await issue(['admin']);
  const res = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  await res.text();
  assert.equal((await refusal({ authorization: `Bearer ${await issue(['user'])}` })).code, 'forbidden_role');
  const expired = await issue(['admin'], 1000, Date.now() - 10_000);
  assert.equal((await refusal({ authorization: `Bearer ${expired}` })).status, 401);
});

test('the scrape token and an admin token both read the exposition', async () => {
  for (const token of [SCRAPE_TOKEN, TOKENS.alice]) {
    const s = await scrapeAs(token);
    const names = s.families.map((f) => f.name);
    for (const name of [
      'vigil_actions_total',
      'vigil_added_latency_seconds',
      'vigil_ledger_size_events',
      'vigil_ledger_appended_events_total',
      'vigil_ledger_commit_seconds',
      'vigil_ledger_commit_batch_events',
      'vigil_ledger_checkpoint_lag_events',
      'vigil_mask_hits_total',
      'vigil_approvals_pending',
      'vigil_approvals_oldest_pending_age_seconds',
      'vigil_sessions_live',
      'vigil_record_failures_total',
      'process_cpu_user_seconds_total',
    ]) {
      assert.ok(names.includes(name), `${name} is exposed`);
    }
  }
});

test('allowed and denied actions, the ledger, latency, sessions and mask hits move with traffic', async () => {
  const before = await scrapeAs(SCRAPE_TOKEN);
  const reply = await ask(PROMPTS.allowed);
  assert.ok(reply.choices[0]?.message.content);
  await ask(PROMPTS.secret);
  await assert.rejects(ask(PROMPTS.denied), (err: { status?: number }) => err.status === 403);
  const after = await scrapeAs(SCRAPE_TOKEN);

  assert.equal(actions(after, 'allowed') - actions(before, 'allowed'), 2);
  assert.equal(actions(after, 'denied') - actions(before, 'denied'), 1);
  assert.equal(actions(after, 'failed'), 0);
  const protocol = after.families
    .find((f) => f.name === 'vigil_actions_total')!
    .metrics.find((m) => m.labels?.connection === 'oa')!.labels!.protocol!;
  assert.match(after.text, new RegExp(`^vigil_added_latency_seconds_count\\{protocol="${protocol}"\\}`, 'm'));
  assert.equal(
    countOf(after, 'vigil_added_latency_seconds') - countOf(before, 'vigil_added_latency_seconds'),
    2,
    'one latency observation per allowed action',
  );
  assert.ok(
    sampleValue(after, 'vigil_mask_hits_total', { rule: 'github-token' }) >
      sampleValue(before, 'vigil_mask_hits_total', { rule: 'github-token' }),
    'the secret in the prompt is counted under its rule',
  );
  // Each action, its response and the denial's decision are appended: the log grows by more than 3.
  const grown =
    sampleValue(after, 'vigil_ledger_size_events') - sampleValue(before, 'vigil_ledger_size_events');
  assert.ok(grown > 3, `ledger grew by ${grown}`);
  assert.ok(
    sampleValue(after, 'vigil_ledger_appended_events_total') -
      sampleValue(before, 'vigil_ledger_appended_events_total') >=
      grown,
  );
  assert.ok(countOf(after, 'vigil_ledger_commit_seconds') > countOf(before, 'vigil_ledger_commit_seconds'));
  assert.equal(
    countOf(after, 'vigil_ledger_commit_batch_events'),
    countOf(after, 'vigil_ledger_commit_seconds'),
    'one batch size per commit',
  );
  assert.ok(sampleValue(after, 'vigil_sessions_live', { connection: 'oa', protocol }) >= 1);
  assert.equal(sampleValue(after, 'vigil_record_failures_total'), 0);
  const lag = sampleValue(after, 'vigil_ledger_checkpoint_lag_events');
  assert.ok(lag >= 0 && lag <= sampleValue(after, 'vigil_ledger_size_events'));
  // Checkpoints catch up (every second by default), and the lag says so.
  await scrapeUntil(
    gateway.url,
    SCRAPE_TOKEN,
    (s) => sampleValue(s, 'vigil_ledger_checkpoint_lag_events') === 0,
    'lag 0',
  );
});

test('a held action is counted as held and pending, then as denied when its reviewer refuses', async () => {
  const before = await scrapeAs(SCRAPE_TOKEN);
  // Settled as a value, so its refusal is never an unhandled rejection while the test scrapes.
  const held = ask(PROMPTS.held).then(
    () => null,
    (err: { status?: number }) => err,
  );
  const waiting = await scrapeUntil(
    gateway.url,
    SCRAPE_TOKEN,
    (s) => sampleValue(s, 'vigil_approvals_pending', { kind: 'action' }) === 1,
    'one pending action',
  );
  scrapes.push(waiting);
  assert.equal(actions(waiting, 'held') - actions(before, 'held'), 1);
  assert.equal(actions(waiting, 'denied'), actions(before, 'denied'), 'not decided yet');
  assert.ok(sampleValue(waiting, 'vigil_approvals_oldest_pending_age_seconds') >= 0);

  const list = await fetch(`${gateway.url}/api/approvals`, {
    headers: { authorization: `Bearer ${TOKENS.audrey}` },
  });
  const { approvals } = (await list.json()) as { approvals: { id: string }[] };
  const decided = await fetch(`${gateway.url}/api/approvals/${approvals[0]!.id}/deny`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'not now' }),
  });
  assert.equal(decided.status, 200);
  assert.equal((await held)?.status, 403, 'the SDK sees the denial');

  const after = await scrapeUntil(
    gateway.url,
    SCRAPE_TOKEN,
    (s) => sampleValue(s, 'vigil_approvals_pending') === 0,
    'no pending approvals',
  );
  scrapes.push(after);
  assert.equal(actions(after, 'denied') - actions(before, 'denied'), 1);
  assert.equal(sampleValue(after, 'vigil_approvals_oldest_pending_age_seconds'), 0);
});

test('an approved held action: allowed, and its added latency leaves out the wait for the reviewer', async () => {
  const before = await scrapeAs(SCRAPE_TOKEN);
  const held = ask(`${PROMPTS.held} (approved)`).then(
    (reply) => reply,
    (err: Error) => err,
  );
  await scrapeUntil(
    gateway.url,
    SCRAPE_TOKEN,
    (s) => sampleValue(s, 'vigil_approvals_pending', { kind: 'action' }) === 1,
    'one pending action',
  );
  const waited = 2_000;
  await new Promise((r) => setTimeout(r, waited));
  const list = await fetch(`${gateway.url}/api/approvals`, {
    headers: { authorization: `Bearer ${TOKENS.audrey}` },
  });
  const { approvals } = (await list.json()) as { approvals: { id: string; status: string }[] };
  const pending = approvals.find((a) => a.status === 'pending')!;
  const decided = await fetch(`${gateway.url}/api/approvals/${pending.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'fine' }),
  });
  assert.equal(decided.status, 200);
  assert.ok(!((await held) instanceof Error), 'the approved request is answered');
  const after = await scrapeAs(SCRAPE_TOKEN);
  assert.equal(actions(after, 'held') - actions(before, 'held'), 1);
  assert.equal(actions(after, 'allowed') - actions(before, 'allowed'), 1);
  // One more observation, and it fell at or under 1 s although the action waited 2 s for review.
  assert.equal(
    countOf(after, 'vigil_added_latency_seconds') - countOf(before, 'vigil_added_latency_seconds'),
    1,
  );
  const underOneSecond = (s: Scrape) =>
    Number(s.families.find((f) => f.name === 'vigil_added_latency_seconds')!.metrics[0]!.buckets!['1']);
  assert.equal(underOneSecond(after) - underOneSecond(before), 1);
});

test('the scrape token is a known secret: in a prompt, it is masked before it is recorded', async () => {
  const before = await scrapeAs(SCRAPE_TOKEN);
  await ask(`the scraper uses ${SCRAPE_TOKEN} to read metrics`);
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection: 'oa' });
  const recorded = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  const texts = recorded.filter((e) => e.type === 'llm.request').map((e) => JSON.stringify(e.payload));
  assert.ok(texts.some((t) => t.includes('the scraper uses')));
  assert.ok(texts.every((t) => !t.includes(SCRAPE_TOKEN)));
  const after = await scrapeAs(SCRAPE_TOKEN);
  assert.ok(
    sampleValue(after, 'vigil_mask_hits_total', { rule: 'known-secret' }) >
      sampleValue(before, 'vigil_mask_hits_total', { rule: 'known-secret' }),
  );
});

test('no scrape carries a prompt, the secret or a token, in labels or anywhere else', () => {
  assert.ok(scrapes.length >= 5);
  const forbidden = [...Object.values(PROMPTS), SECRET, SCRAPE_TOKEN, UPSTREAM_KEY, ...Object.values(TOKENS)];
  const words = ['prime', 'deploy', 'forbidden-topic', 'incident', 'scraper'];
  for (const s of scrapes) {
    for (const text of [...forbidden, ...words])
      assert.ok(!s.text.includes(text), `a scrape contains ${text}`);
    const labels = labelValues(s);
    for (const value of labels) assert.match(value, /^[a-z0-9._-]*$/i, `label value ${value}`);
  }
});
