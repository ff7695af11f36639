// The identity.saml settings: which combinations the schema refuses, and a gateway configured
// without metadata (SSO URL + certificate file + entity id) that signs its AuthnRequests with a
// private key given as a secret reference and names users by an attribute instead of the NameID.
import assert from 'node:assert/strict';
import { createVerify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { makeSigningKey, TestSamlIdp } from '../support/saml-idp.js';
import { SamlCookieBrowser } from './saml-cookie-browser.js';

const SP = 'https://vigil.example.com/saml';
let idp: TestSamlIdp;
let gateway: TestGateway;
const spKey = makeSigningKey('vigil-sp');

function parse(saml: Record<string, unknown>) {
  return configSchema.safeParse({ identity: { saml: { sp_entity_id: SP, ...saml } } });
}

before(async () => {
  idp = await TestSamlIdp.start();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-saml-config-'));
  writeFileSync(join(dir, 'idp.pem'), idp.key.certificate);
  writeFileSync(join(dir, 'sp.key'), spKey.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'sp.crt'), spKey.certificate);
  gateway = await startTestGateway({
    identity: {
      saml: {
        idp_sso_url: `${idp.url}/sso`,
        idp_cert: `file:${join(dir, 'idp.pem')}`,
        idp_entity_id: idp.entityId,
        sp_entity_id: SP,
        subject_attribute: 'email',
        sign_requests: true,
        sp_private_key: `file:${join(dir, 'sp.key')}`,
        sp_certificate: `file:${join(dir, 'sp.crt')}`,
        allow_insecure_http: true,
      },
    },
  });
});

after(async () => {
  await gateway?.close();
  await idp?.close();
});

test('the schema wants exactly one way to know the provider, and bounds the clock skew', () => {
  assert.equal(parse({ idp_metadata_url: 'https://idp.example.com/m' }).success, true);
  assert.equal(parse({}).success, false, 'no provider');
  assert.equal(
    parse({ idp_metadata_url: 'https://idp.example.com/m', idp_metadata_file: 'm.xml' }).success,
    false,
  );
  assert.equal(
    parse({ idp_sso_url: 'https://idp.example.com/sso' }).success,
    false,
    'SSO URL without certificate',
  );
  assert.equal(
    parse({ idp_metadata_url: 'http://idp.example.com/m' }).success,
    false,
    'http without the opt-in',
  );
  assert.equal(parse({ idp_metadata_file: 'm.xml', clock_skew: '1h' }).success, false);
  assert.equal(
    parse({ idp_metadata_file: 'm.xml', sign_requests: true }).success,
    false,
    'signing needs a key',
  );
  assert.equal(
    parse({ idp_metadata_file: 'm.xml', sp_private_key: '-----BEGIN' }).success,
    false,
    'a key is referenced',
  );
  const parsed = parse({ idp_metadata_file: 'm.xml' });
  assert.ok(parsed.success);
  const saml = parsed.data.identity.saml!;
  assert.equal(saml.clock_skew, 60_000);
  assert.equal(saml.allow_idp_initiated, false);
  assert.equal(saml.groups_attribute, 'groups');
});

test('AuthnRequests are signed (HTTP-Redirect binding) with the SP key, verifiable with its certificate', async () => {
  const res = await fetch(`${gateway.url}/auth/saml/login`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  assert.equal(location.searchParams.get('SigAlg'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  // The signature covers the raw query "SAMLRequest=…&RelayState=…&SigAlg=…" as sent (redirect binding, 3.4.4.1).
  const raw = location.search.slice(1);
  const signed = raw
    .split('&')
    .filter((p) => !p.startsWith('Signature='))
    .join('&');
  const verify = createVerify('RSA-SHA256');
  verify.update(signed);
  assert.equal(verify.verify(spKey.certificate, location.searchParams.get('Signature')!, 'base64'), true);

  const metadata = await (await fetch(`${gateway.url}/auth/saml/metadata`)).text();
  assert.match(metadata, /AuthnRequestsSigned="true"/);
  const body = spKey.certificate.replace(/-----[A-Z ]+-----|\s/g, '');
  assert.ok(metadata.replace(/\s/g, '').includes(body), 'the SP certificate is published');
});

test('without metadata the flow works, and the subject comes from the configured attribute', async () => {
  idp.user = { subject: 'opaque-name-id-1234', attributes: { email: 'olga@example.com', groups: ['ops'] } };
  const { response } = await new SamlCookieBrowser().signIn(`${gateway.url}/auth/saml/login`);
  assert.ok(response);
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as { subject: string; groups: string[] };
  assert.equal(body.subject, 'olga@example.com');
  assert.deepEqual(body.groups, ['ops']);
});

test('a Response from another issuer than idp_entity_id is refused', async () => {
  idp.tweak = (o) => ({ ...o, issuer: 'https://impostor.example.com' });
  try {
    const { response } = await new SamlCookieBrowser().signIn(`${gateway.url}/auth/saml/login`);
    assert.equal(response?.status, 401);
    assert.equal(response?.headers.get('x-vigil-error'), 'saml_invalid');
  } finally {
    idp.tweak = (o) => o;
  }
});
