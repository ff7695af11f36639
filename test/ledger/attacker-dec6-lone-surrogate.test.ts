// Attacker: a user whose identity provider lets them choose the name Vigil knows them by (an
// address, or `subject_claim` set to a name people pick). An id_token is JSON, which may spell a lone
// UTF-16 surrogate (`\ud800`); the subject keeps it. The ledger hashes the subject as it is, but the
// store keeps it also in a column of its own, as UTF-8, which cannot hold it: SQLite keeps other
// text. Until 6 December that made the honest ledger read as altered from this user's first event
// on (`hash_mismatch`, and `session_mismatch` for the session record), for good: every later
// `vigil verify` stopped there, a standing alarm behind which real tampering went unnoticed. Such an
// event is now refused before anything runs, and the ledger stays verifiable.
// Real parts: the OpenID provider (oidc-provider), the gateway, SQLite, the `vigil verify` CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

const LONE = 'mallory\ud800@example.com';

let provider: TestProvider;
let gateway: TestGateway;

before(async () => {
  provider = await startTestProvider({
    'plain-sub': { email: 'dana@example.com', groups: ['ai'] },
    'lone-sub': { email: LONE, groups: ['ai'] },
  });
  gateway = await startTestGateway({
    identity: { oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true } },
    // Nothing listens upstream: the request is recorded first (write-ahead), then fails to reach it.
    connections: [{ name: 'ai', type: 'llm-openai', upstream: 'http://127.0.0.1:9', allow: ['group:ai'] }],
  });
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

/** Signs in through the provider as `account`; the Vigil token, or null when sign-in was refused. */
async function signIn(account: string): Promise<string | null> {
  provider.signInAs = account;
  const { response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
  if (response?.status !== 200) return null;
  return ((await response.json()) as { token: string }).token;
}

async function ask(token: string): Promise<number> {
  const res = await fetch(`${gateway.url}/c/ai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

test('a subject with a lone surrogate is not recorded as other text: the ledger still verifies', async () => {
  const plain = await signIn('plain-sub');
  assert.ok(plain, 'the control signs in');
  await ask(plain);
  const lone = await signIn('lone-sub');
  // Signing in records an event, so it is refused (record_failed); were it not, whatever the user
  // asks would be, before it runs, since it cannot be recorded faithfully.
  if (lone !== null) {
    const status = await ask(lone);
    assert.notEqual(status, 200);
  }
  await ask(plain);
  await gateway.checkpointer.checkpointNow();
  const verified = await runCli(['--data', gateway.dataDir, 'verify']);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^ledger intact/);
});
