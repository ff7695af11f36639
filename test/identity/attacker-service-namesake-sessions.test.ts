// Attacker: the service account `deploy` (made as `vigil token create --service-account deploy`
// makes it) beside the user `deploy`, whose subject at the identity provider is the same name. Model
// requests, admin API calls and sign-ins are grouped into live sessions by a key; a key made of the
// subject alone puts one holder's traffic in the other's session, recorded under the wrong identity
// and readable by the other. Real parts: the gateway, the demo stand-in model behind an llm-openai
// connection, the official openai client, an OpenID provider (oidc-provider).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { StoredEvent } from '../../src/core/events.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { startTestGateway, TEST_IDENTITIES, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

/** The user `deploy`, signed in with a token from the configuration. */
const USER_DEPLOY = 'tok-deploy-user-0123456789';
let serviceDeploy: string;
let model: DemoModel;
let provider: TestProvider;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  provider = await startTestProvider({ anonymous: { email: 'anon@example.com', groups: [] } });
  gateway = await startTestGateway({
    identity: {
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true, subject_claim: 'sub' },
    },
    identities: [
      ...TEST_IDENTITIES,
      { name: 'deploy', groups: [], roles: ['user'], token_sha256: hashToken(USER_DEPLOY) },
    ],
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['user:deploy', 'service:deploy'] },
    ],
  });
  serviceDeploy = (
    await createServiceToken(gateway.store.access, { name: 'deploy', connections: ['oa'], ttlMs: 3_600_000 })
  ).token;
});
after(async () => {
  await gateway?.close();
  await model?.close();
  await provider?.close();
});

function client(token: string, headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: token,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

async function ask(token: string, prompt: string, headers: Record<string, string> = {}): Promise<void> {
  const reply = await client(token, headers).chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: prompt }],
  });
  assert.ok(reply.choices.length > 0);
}

/** Every recorded event of `connection`, with the session it is in. */
async function eventsOf(connection: string): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection, limit: 1000 });
  return (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
}

/** The session holding the model request whose prompt contains `marker`, and whose it is. */
async function sessionOfPrompt(marker: string): Promise<{ id: string; kind: string; subject: string }> {
  const requests = (await eventsOf('oa')).filter(
    (e) => e.type === 'llm.request' && JSON.stringify(e.payload).includes(marker),
  );
  assert.equal(requests.length, 1, `one request carries ${marker}`);
  const [request] = requests;
  const summary = await gateway.store.ledger.getSession(request!.sessionId);
  assert.ok(summary);
  assert.equal(summary.identity.kind, request!.identity.kind, 'the event is recorded as its session');
  return { id: summary.id, kind: request!.identity.kind, subject: request!.identity.subject };
}

async function readAs(token: string, sessionId: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gateway.url}/api/sessions/${sessionId}/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, text: await res.text() };
}

const forms: [string, Record<string, string>][] = [
  ['identity and connection alone', {}],
  ['an explicit x-vigil-session id', { 'x-vigil-session': 'release-42' }],
  ['a W3C traceparent', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }],
];

for (const [how, headers] of forms) {
  test(`the service account deploy does not join the user deploy's model session by ${how}`, async () => {
    const tag = Object.keys(headers)[0] ?? 'none';
    await ask(USER_DEPLOY, `user prompt ${tag}`, headers);
    await ask(serviceDeploy, `service prompt ${tag}`, headers);
    const user = await sessionOfPrompt(`user prompt ${tag}`);
    const service = await sessionOfPrompt(`service prompt ${tag}`);
    assert.deepEqual([user.kind, user.subject], ['user', 'deploy']);
    assert.deepEqual(
      [service.kind, service.subject],
      ['service', 'deploy'],
      "the service account's prompt is recorded as the service account's",
    );
    assert.notEqual(service.id, user.id, 'two holders, two sessions');
    // The user deploy reads their own session and does not find the service account's prompt there,
    // nor reads the service account's session.
    const own = await readAs(USER_DEPLOY, user.id);
    assert.equal(own.status, 200, own.text);
    assert.ok(!own.text.includes(`service prompt ${tag}`), "the service account's prompt is not in it");
    assert.equal((await readAs(USER_DEPLOY, service.id)).status, 404);
  });
}

test("the service account deploy's admin API calls are not recorded in the user deploy's admin session", async () => {
  const call = async (token: string, path: string) => {
    const res = await fetch(gateway.url + path, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
  };
  await call(USER_DEPLOY, '/api/approvals');
  await call(serviceDeploy, '/api/grants');
  const actions = (await eventsOf('admin-api')).filter(
    (e) => e.type === 'admin.action' && e.identity.subject === 'deploy',
  );
  const byPath = (path: string) => actions.find((e) => e.payload?.path === path);
  assert.equal(byPath('/api/approvals')?.identity.kind, 'user');
  const serviceCall = byPath('/api/grants');
  assert.equal(serviceCall?.identity.kind, 'service', 'recorded as the service account, in its own session');
  assert.notEqual(serviceCall.sessionId, byPath('/api/approvals')?.sessionId);
});

test("a user whose subject is `anonymous` signs in to their own auth session, not the anonymous refusals'", async () => {
  // A refused pasted token opens the auth session of the anonymous identity.
  const refused = await fetch(`${gateway.url}/auth/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vigil-console': '1' },
    body: JSON.stringify({ token: 'not-a-vigil-token' }),
  });
  assert.equal(refused.status, 401);
  await refused.arrayBuffer();
  // Then the provider's user `anonymous` signs in.
  provider.signInAs = 'anonymous';
  const browser = new TestBrowser();
  const { url } = await browser.follow(`${gateway.url}/auth/login`, `${gateway.url}/auth/callback`);
  const res = await browser.request(url);
  assert.equal(res.status, 200, await res.clone().text());
  await res.arrayBuffer();
  const events = await eventsOf('auth');
  const denied = events.find((e) => e.type === 'access.denied');
  const granted = events.find((e) => e.type === 'access.granted');
  assert.equal(denied?.identity.kind, 'anonymous');
  assert.deepEqual(
    [granted?.identity.kind, granted?.identity.subject],
    ['user', 'anonymous'],
    'the sign-in is recorded as the user who signed in',
  );
  assert.notEqual(granted?.sessionId, denied?.sessionId);
});
