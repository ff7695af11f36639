// Attacker: an unsolicited (IdP-initiated) SAML Response handed to someone's `vigil login --saml`.
// With `allow_idp_initiated: true`, a Response that answers no request is bound to no browser.
// Until 7 December the ACS still honoured a CLI RelayState posted beside it: Mallory, having seen
// the URL Victor's CLI printed (a shared screen, a pasted log, a browser history), asks the gateway
// for a RelayState with Victor's loopback address and challenge, and a page of hers makes Victor's
// browser post her own IdP-initiated Response with it (nothing binds an unsolicited Response to a
// browser). The gateway sent Victor's browser on to his listener with a code for her sign-in; his
// CLI redeemed it with his verifier and stored Mallory's token: everything he then did through
// Vigil was recorded as hers (login CSRF at the terminal, from anywhere on the web). Now only a Response answering the posting
// browser's own AuthnRequest is handed back to a CLI; an unsolicited one is answered where it was
// posted. Real parts: the gateway over HTTP, the SAML test identity provider, the CLI's listener.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loginWithSaml } from '../../src/identity/saml/saml-login.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { TestSamlIdp } from '../support/saml-idp.js';
import { SamlCookieBrowser } from './saml-cookie-browser.js';

const SP = 'https://vigil.example.com/saml';
let idp: TestSamlIdp;
let gateway: TestGateway;

before(async () => {
  idp = await TestSamlIdp.start();
  gateway = await startTestGateway({
    identity: {
      saml: {
        idp_metadata_url: `${idp.url}/metadata`,
        sp_entity_id: SP,
        allow_idp_initiated: true,
        allow_insecure_http: true,
      },
    },
  });
});

after(async () => {
  await gateway?.close();
  await idp?.close();
});

/**
 * Mallory's move, knowing the URL Victor's CLI printed: her page makes Victor's browser post her
 * Response; the status of the last request that browser makes.
 */
async function plantMallorysSignIn(victorsUrl: string): Promise<number> {
  const mallory = new SamlCookieBrowser();
  const victorsBrowser = new SamlCookieBrowser();
  // The gateway seals a RelayState for whatever loopback address and challenge it is given.
  const login = await mallory.fetch(`${gateway.url}/auth/saml/login${new URL(victorsUrl).search}`);
  await login.arrayBuffer();
  const relayState = new URL(login.headers.get('location')!).searchParams.get('RelayState');
  assert.ok(relayState, 'the provider URL carries the RelayState');
  const acs = `${gateway.url}/auth/saml/acs`;
  const unsolicited = idp.response({
    subject: 'mallory@example.com',
    audience: SP,
    recipient: acs,
    destination: acs,
  });
  const posted = await victorsBrowser.postForm(acs, {
    SAMLResponse: Buffer.from(unsolicited).toString('base64'),
    RelayState: relayState,
  });
  const location = posted.headers.get('location');
  await posted.arrayBuffer();
  if (posted.status !== 303 || location === null) return posted.status;
  // Handed back: Victor's browser follows the redirect to his own listener. His CLI may close it
  // before this answer is read: what counts is what it took.
  const delivered = await fetch(location).catch(() => null);
  await delivered?.arrayBuffer().catch(() => undefined);
  return delivered?.status ?? 0;
}

test("an IdP-initiated Response posted with a CLI's RelayState is not handed to that CLI", async () => {
  let visit: Promise<unknown> | null = null;
  let planted = 0;
  const result = await loginWithSaml({
    gatewayUrl: gateway.url,
    timeoutMs: 30_000,
    onPrompt: async (prompt) => {
      if (prompt.kind !== 'browser') return;
      planted = await plantMallorysSignIn(prompt.url);
      idp.user = { subject: 'victor@example.com', attributes: {} };
      visit = new SamlCookieBrowser().signIn(prompt.url);
    },
  });
  // Where the CLI took Mallory's code, its listener is gone before Victor's browser comes back.
  await (visit as Promise<unknown> | null)?.catch(() => undefined);
  assert.equal(result.subject, 'victor@example.com', "victor's CLI holds his own sign-in");
  assert.equal(planted, 200, "mallory's unsolicited sign-in is answered to her, not sent on");
  assert.equal((await gateway.vigilTokens.verify(result.token)).subject, 'victor@example.com');
});
