// Attacker: an id_token found where it leaked (a provider's or proxy's log, a shell history, a
// screenshot of `vigil login --debug`) is traded in at POST /auth/exchange after its owner already
// did. Until 7 December every exchange of it answered a fresh Vigil token until the id_token
// expired (an hour at most providers). An id_token now signs in once, on whichever replica: the
// mark is kept in the store the replicas share. Real parts: two gateways on one data directory and
// store, the OpenID provider (oidc-provider) issuing the id_tokens, the admin API using the tokens.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';
import { freshIdTokens } from './fresh-id-tokens.js';

let provider: TestProvider;
/** A new id_token for ivy (fresh-id-tokens.ts). */
let idToken: () => Promise<string>;
let a: TestGateway;
let b: TestGateway;

before(async () => {
  provider = await startTestProvider({ 'ivy-sub': { email: 'ivy@example.com', groups: ['ai-eng'] } });
  idToken = freshIdTokens(provider, 'ivy-sub');
  const settings = {
    identity: { oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true } },
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-id-token-once-'));
  a = await startTestGateway(settings, dataDir);
  b = await startTestGateway(settings, dataDir).catch(async (err) => {
    await a.close();
    throw err;
  });
});

after(async () => {
  await b?.close();
  await a?.close();
  await provider?.close();
});

interface Exchanged {
  status: number;
  code?: string;
  /** /api/whoami with the token answered, when one was. */
  whoami?: number;
}

async function exchange(gateway: TestGateway, id: string): Promise<Exchanged> {
  const res = await fetch(`${gateway.url}/auth/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id_token: id }),
  });
  const body = (await res.json()) as { token?: string; error?: { code: string } };
  if (!body.token) return { status: res.status, ...(body.error ? { code: body.error.code } : {}) };
  const who = await fetch(`${gateway.url}/api/whoami`, {
    headers: { authorization: `Bearer ${body.token}` },
  });
  await who.arrayBuffer();
  return { status: res.status, whoami: who.status };
}

test('a second exchange of one id_token is refused, on the same replica and on another', async () => {
  const id = await idToken();
  assert.deepEqual(await exchange(a, id), { status: 200, whoami: 200 }, 'the owner signs in');
  assert.deepEqual(await exchange(a, id), { status: 401, code: 'auth_id_token_used' });
  assert.deepEqual(await exchange(b, id), { status: 401, code: 'auth_id_token_used' });
  const denied = (await sessionEvents(b, 'auth')).filter(
    (e) => e.type === 'access.denied' && e.payload?.code === 'auth_id_token_used',
  );
  assert.ok(denied.length >= 1, 'the refused replay is in the ledger');
  assert.deepEqual(await exchange(b, await idToken()), { status: 200, whoami: 200 }, 'a new id_token works');
});

test('two exchanges racing on two replicas: one token', async () => {
  for (let round = 0; round < 3; round++) {
    const id = await idToken();
    const answers = await Promise.all([exchange(a, id), exchange(b, id)]);
    const statuses = answers.map((x) => x.status).sort();
    assert.deepEqual(statuses, [200, 401], JSON.stringify(answers));
    assert.equal(answers.find((x) => x.status === 401)?.code, 'auth_id_token_used');
  }
});
