// Attacker: a SAML assertion issued before an offboarding, kept unposted, and posted after the
// identity provider re-activates the account. SCIM re-activation gives back the right to sign in and
// nothing else: every credential the person held before the deactivation stays void, and an
// assertion is one for as long as its NotOnOrAfter lets it live. The sign-in is refused, recorded as
// refused, and hands out no token. Real parts: the gateway, a SAML identity provider signing with
// its own key (test/support/saml-idp.ts), SCIM over HTTP, the admin API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { TestSamlIdp } from '../support/saml-idp.js';

const SP_ENTITY_ID = 'https://vigil.example.com/saml';

let idp: TestSamlIdp;
let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  idp = await TestSamlIdp.start();
  gateway = await startTestGateway({
    identity: {
      scim: { enabled: true },
      saml: {
        idp_metadata_url: `${idp.url}/metadata`,
        sp_entity_id: SP_ENTITY_ID,
        allow_idp_initiated: true,
        allow_insecure_http: true,
      },
    },
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'idp'));
});

after(async () => {
  await gateway?.close();
  await idp?.close();
});

const acs = () => `${gateway.url}/auth/saml/acs`;

/** A signed, unsolicited Response for sam, valid for five minutes from now. */
const assertionForSam = () =>
  idp.response({ subject: 'sam@example.com', audience: SP_ENTITY_ID, recipient: acs(), destination: acs() });

/** Posts the Response as the browser would, then uses the token it answered (if any). */
async function postAndUse(xml: string): Promise<{ acs: number; whoami?: number; code?: string }> {
  const res = await fetch(acs(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64') }).toString(),
  });
  const body = (await res.json()) as { token?: string; error?: { code: string } };
  if (!body.token) return { acs: res.status, ...(body.error ? { code: body.error.code } : {}) };
  const who = await fetch(`${gateway.url}/api/whoami`, {
    headers: { authorization: `Bearer ${body.token}` },
  });
  const answer = (await who.json()) as { error?: { code: string } };
  return { acs: res.status, whoami: who.status, ...(answer.error ? { code: answer.error.code } : {}) };
}

/** Granted and refused sign-ins in the ledger, oldest first. */
async function signIns(): Promise<string[]> {
  return (await sessionEvents(gateway, 'auth'))
    .filter((e) => e.type === 'access.granted' || e.type === 'access.denied')
    .map((e) => `${e.type} ${e.identity.subject} ${String(e.payload?.code ?? '')}`.trim());
}

test('an assertion issued before a SCIM deactivation signs nobody in after re-activation', async () => {
  const sam = await scim.createUser('sam@example.com');
  assert.deepEqual(await postAndUse(assertionForSam()), { acs: 200, whoami: 200 }, 'the control');

  const kept = assertionForSam();
  // IssueInstant has milliseconds, SCIM's deactivation time too: a later millisecond will do, a
  // few are waited for so the two clocks' readings cannot meet.
  await new Promise((r) => setTimeout(r, 50));
  await scim.setActive(sam, false);
  await scim.setActive(sam, true);
  // Vigil's tokens carry whole seconds: sign in from a later second than the deactivation, as
  // someone holding the assertion for the rest of its five minutes would.
  await new Promise((r) => setTimeout(r, 1100));

  const before = (await signIns()).length;
  assert.deepEqual(
    await postAndUse(kept),
    { acs: 401, code: 'auth_revoked' },
    'an assertion from before the deactivation signs nobody in: no token is handed out',
  );
  assert.deepEqual(
    (await signIns()).slice(before),
    ['access.denied anonymous auth_revoked'],
    'the ledger holds a refused sign-in, not a granted one',
  );
  assert.deepEqual(
    await postAndUse(assertionForSam()),
    { acs: 200, whoami: 200 },
    'a fresh one signs sam in',
  );
});
