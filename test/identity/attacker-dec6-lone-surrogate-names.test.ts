// Attacker: someone whose identity provider lets them choose their name (an e-mail address, a
// display name used as subject) and picks one holding a lone UTF-16 surrogate, which JSON spells
// `\ud800` and an XML parser hands over for `&#xD800;`. No store can keep such a name as the ledger
// hashes it, so the recorder refuses it; until 6 December the sign-in got that far and failed with
// HTTP 503 `record_failed`, as though the gateway were broken, and SCIM stored such a user or group
// under another name (U+FFFD). Each is now refused where the name arrives, as the invalid name it is.
// Real parts: the gateway, the OpenID provider (oidc-provider), a SAML IdP signing with xml-crypto,
// SCIM over HTTP, the `vigil verify` CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';
import { TestSamlIdp } from '../support/saml-idp.js';

const LONE = 'lone\ud800@example.com';
const SP_ENTITY_ID = 'https://vigil.example.com/saml';

let provider: TestProvider;
let idp: TestSamlIdp;
let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  provider = await startTestProvider({
    'plain-sub': { email: 'plain@example.com', groups: ['dev'] },
    'lone-sub': { email: LONE, groups: [] },
    'lone-group-sub': { email: 'grouped@example.com', groups: ['dev', 'ops\udc00'] },
  });
  idp = await TestSamlIdp.start();
  gateway = await startTestGateway({
    identity: {
      scim: { enabled: true },
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
      saml: {
        idp_metadata_url: `${idp.url}/metadata`,
        sp_entity_id: SP_ENTITY_ID,
        groups_attribute: 'memberOf',
        allow_idp_initiated: true,
        allow_insecure_http: true,
      },
    },
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'idp'));
});

after(async () => {
  await gateway?.close();
  await provider?.close();
  await idp?.close();
});

async function oidcSignIn(account: string): Promise<Response> {
  provider.signInAs = account;
  const { response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
  assert.ok(response);
  return response;
}

test('OIDC: a subject with a lone surrogate is refused as auth_invalid (401), not record_failed (503)', async () => {
  const refused = await oidcSignIn('lone-sub');
  const text = await refused.text();
  assert.equal(refused.status, 401, text);
  assert.equal(refused.headers.get('x-vigil-error'), 'auth_invalid');
  assert.match(text, /email claim holds a lone UTF-16 surrogate/);
  const plain = await oidcSignIn('plain-sub');
  assert.equal(plain.status, 200, await plain.clone().text());
});

test('OIDC: a group name with a lone surrogate is dropped, the others kept', async () => {
  const res = await oidcSignIn('lone-group-sub');
  const body = (await res.json()) as { subject: string; groups: string[] };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.subject, 'grouped@example.com');
  assert.deepEqual(body.groups, ['dev']);
});

test('SAML: a NameID spelled with &#xD800; is refused as saml_invalid, not record_failed', async () => {
  // Signed over U+FFFD, then spelled as the character reference: the parsed text (a lone surrogate)
  // serialises to the same UTF-8 bytes for the digest, so the signature verifies.
  const signed = idp.response({
    subject: 'sam\ufffd@example.com',
    audience: SP_ENTITY_ID,
    recipient: `${gateway.url}/auth/saml/acs`,
    destination: `${gateway.url}/auth/saml/acs`,
  });
  const post = (xml: string) =>
    fetch(`${gateway.url}/auth/saml/acs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64') }).toString(),
    });
  const res = await post(signed.replace('sam\ufffd@', 'sam&#xD800;@'));
  const text = await res.text();
  assert.equal(res.headers.get('x-vigil-error'), 'saml_invalid', `${res.status} ${text}`);
  assert.equal(res.status, 401);
  assert.match(text, /NameID holds a lone UTF-16 surrogate/);
});

test('SCIM: a userName, displayName or externalId with a lone surrogate is refused (400 invalidValue)', async () => {
  const user = await scim.post('/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: LONE,
  });
  assert.equal(user.status, 400, JSON.stringify(user.body));
  assert.equal((user.body as { scimType?: string }).scimType, 'invalidValue');
  const group = await scim.post('/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'ops\udc00',
  });
  assert.equal(group.status, 400, JSON.stringify(group.body));
  const external = await scim.post('/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'ext@example.com',
    externalId: 'x\ud800',
  });
  assert.equal(external.status, 400, JSON.stringify(external.body));
  // A rename by PATCH goes through the same reading.
  const id = await scim.createGroup('ops', []);
  const renamed = await scim.patch(`/Groups/${id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'displayName', value: 'ops\ud800' }],
  });
  assert.equal(renamed.status, 400, JSON.stringify(renamed.body));
  const kept = (await scim.ok('GET', `/Groups/${id}`)) as { displayName: string };
  assert.equal(kept.displayName, 'ops');
});

test('after all of that the ledger verifies', async () => {
  await gateway.recorder.drain();
  await gateway.checkpointer.checkpointNow();
  const verified = await runCli(['--data', gateway.dataDir, 'verify']);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^ledger intact/);
});

test('an identity in vigil.yaml whose name or group holds a lone surrogate is a configuration error', async () => {
  const { parseConfigText } = await import('../../src/server/load-config.js');
  const token = 'a'.repeat(64);
  for (const [field, yaml] of [
    ['name', `identities:\n  - name: "eve\\ud800"\n    token_sha256: ${token}\n`],
    ['groups', `identities:\n  - name: eve\n    groups: ["ops\\udc00"]\n    token_sha256: ${token}\n`],
  ] as const) {
    assert.throws(
      () => parseConfigText(yaml, 'vigil.yaml'),
      (err: unknown) =>
        (err as { code?: string }).code === 'config_invalid' &&
        /vigil\.yaml:\d+: identities\[0\]\.(name|groups\[0\]): must not hold a lone UTF-16 surrogate/.test(
          (err as Error).message,
        ),
      field,
    );
  }
});
