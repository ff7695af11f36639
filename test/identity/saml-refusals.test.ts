// SAML Responses the gateway must refuse, each with its own error code and each recorded in the
// ledger as access.denied with that code: forged, unsigned, expired, for another audience or
// recipient, replayed (also after a restart), answering no request of ours, unsolicited while
// IdP-initiated sign-in is off, and signature-wrapping variants built from a genuinely signed
// Response with @xmldom/xmldom. The wrapping variants are also fed to node-saml alone, to pin down
// what the library refuses by itself.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { StoredEvent } from '../../src/core/events.js';
import { runCli } from '../support/cli.js';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { type AssertionOptions, makeSigningKey, signElement, TestSamlIdp } from '../support/saml-idp.js';
import { SamlCookieBrowser } from './saml-cookie-browser.js';

const SP = 'https://vigil.example.com/saml';
let idp: TestSamlIdp;
let open: TestGateway; // IdP-initiated allowed
let strict: TestGateway; // SP-initiated only

const samlSettings = (extra: Record<string, unknown>) => ({
  idp_metadata_url: `${idp.url}/metadata`,
  sp_entity_id: SP,
  allow_insecure_http: true,
  clock_skew: '60s',
  ...extra,
});

before(async () => {
  idp = await TestSamlIdp.start();
  open = await startTestGateway({ identity: { saml: samlSettings({ allow_idp_initiated: true }) } });
  strict = await startTestGateway({ identity: { saml: samlSettings({}) } });
});

after(async () => {
  await open?.close();
  await strict?.close();
  await idp?.close();
});

const acsOf = (gateway: TestGateway) => `${gateway.url}/auth/saml/acs`;

/** A Response the open gateway would accept, changed by `change`. */
function good(change: Partial<AssertionOptions> = {}): string {
  return idp.response({
    subject: 'mallory@example.com',
    attributes: { groups: ['staff'] },
    audience: SP,
    recipient: acsOf(open),
    destination: acsOf(open),
    ...change,
  });
}

function post(gateway: TestGateway, xml: string, browser = new SamlCookieBrowser()) {
  return browser.postForm(acsOf(gateway), { SAMLResponse: Buffer.from(xml).toString('base64') });
}

async function denials(gateway: TestGateway): Promise<StoredEvent[]> {
  return (await sessionEvents(gateway, 'auth')).filter((e) => e.type === 'access.denied');
}

/** Posts the Response and expects a refusal with `code`, no token, and a ledger record of it. */
async function assertRefused(
  xml: string,
  code: string,
  gateway: TestGateway = open,
  browser = new SamlCookieBrowser(),
): Promise<string> {
  const before = (await denials(gateway)).length;
  const res = await post(gateway, xml, browser);
  const body = (await res.json()) as { token?: string; error: { code: string; message: string } };
  assert.equal(res.status, 401, JSON.stringify(body));
  assert.equal(body.token, undefined);
  assert.equal(body.error.code, code, body.error.message);
  assert.equal(res.headers.get('x-vigil-error'), code);
  const recorded = (await denials(gateway)).slice(before);
  assert.ok(
    recorded.some(
      (e) => e.payload?.code === code && e.payload?.via === 'saml' && e.identity.kind === 'anonymous',
    ),
    `the ${code} refusal is in the ledger`,
  );
  return body.error.message;
}

describe('signatures', () => {
  test('accepted as a baseline: the same Response shape, genuinely signed', async () => {
    const res = await post(open, good());
    assert.equal(res.status, 200, await res.clone().text());
  });

  test('forged: signed by another key', async () => {
    await assertRefused(good({ signingKey: makeSigningKey('mallory') }), 'saml_signature_invalid');
  });

  test('forged Response signature around a genuinely signed assertion', async () => {
    await assertRefused(signElement(good(), 'Response', makeSigningKey('mallory')), 'saml_signature_invalid');
  });

  test('tampered: the subject changed after signing', async () => {
    const xml = good().replace('mallory@example.com</saml:NameID>', 'admin@example.com</saml:NameID>');
    await assertRefused(xml, 'saml_signature_invalid');
  });

  test('unsigned assertion', async () => {
    await assertRefused(good({ signAssertion: false }), 'saml_unsigned');
  });

  test('signed Response around an unsigned assertion (signed assertions are required)', async () => {
    await assertRefused(good({ signAssertion: false, signResponse: true }), 'saml_unsigned');
  });
});

describe('conditions', () => {
  test('expired beyond the clock skew', async () => {
    const past = new Date(Date.now() - 5 * 60_000);
    await assertRefused(
      good({ notBefore: new Date(past.getTime() - 60_000), notOnOrAfter: past }),
      'saml_expired',
    );
  });

  test('expired but within the configured clock skew is still accepted', async () => {
    const res = await post(open, good({ notOnOrAfter: new Date(Date.now() - 20_000) }));
    assert.equal(res.status, 200, await res.clone().text());
  });

  test('not yet valid', async () => {
    const future = new Date(Date.now() + 10 * 60_000);
    await assertRefused(
      good({ notBefore: future, notOnOrAfter: new Date(future.getTime() + 60_000) }),
      'saml_expired',
    );
  });

  test('for another audience', async () => {
    await assertRefused(good({ audience: 'https://other.example.com/saml' }), 'saml_audience');
  });

  test('for another recipient', async () => {
    await assertRefused(good({ recipient: 'https://other.example.com/acs' }), 'saml_recipient');
  });

  test('for another destination', async () => {
    await assertRefused(good({ destination: 'https://other.example.com/acs' }), 'saml_recipient');
  });

  test('from another issuer', async () => {
    await assertRefused(good({ issuer: 'https://other-idp.example.com' }), 'saml_invalid');
  });
});

describe('replay', () => {
  test('the same assertion twice: the second post is refused', async () => {
    const xml = good();
    assert.equal((await post(open, xml)).status, 200);
    await assertRefused(xml, 'saml_replayed');
  });

  test('a restart does not forget used assertions', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-saml-replay-'));
    // A fixed public URL keeps the ACS URL (the recipient) the same across the restart.
    const settings = {
      identity: { public_url: 'https://vigil.test', saml: samlSettings({ allow_idp_initiated: true }) },
    };
    const xml = good({
      recipient: 'https://vigil.test/auth/saml/acs',
      destination: 'https://vigil.test/auth/saml/acs',
    });
    const first = await startTestGateway(settings, dataDir);
    try {
      assert.equal((await post(first, xml)).status, 200);
    } finally {
      await first.close();
    }
    const second = await startTestGateway(settings, dataDir);
    try {
      await assertRefused(xml, 'saml_replayed', second);
    } finally {
      await second.close();
    }
  });
});

describe('InResponseTo and unsolicited Responses', () => {
  test('unsolicited while IdP-initiated sign-in is off', async () => {
    await assertRefused(
      good({ recipient: acsOf(strict), destination: acsOf(strict) }),
      'saml_unsolicited',
      strict,
    );
  });

  test('answering a request this gateway never sent', async () => {
    await assertRefused(
      good({ recipient: acsOf(strict), destination: acsOf(strict), inResponseTo: '_made_up_request' }),
      'saml_in_response_to',
      strict,
    );
  });

  test('the SP-initiated flow still works on the strict gateway, once per request', async () => {
    idp.user = { subject: 'ivy@example.com', attributes: {} };
    const browser = new SamlCookieBrowser();
    const { response } = await browser.signIn(`${strict.url}/auth/saml/login`);
    assert.equal(response?.status, 200);
    // The same request answered again (a fresh assertion, so not a replay) from the browser that
    // began it is refused.
    const last = idp.requests.at(-1)!;
    const captured = /ID="([^"]+)"/.exec(last)![1]!;
    await assertRefused(
      good({ recipient: acsOf(strict), destination: acsOf(strict), inResponseTo: captured }),
      'saml_in_response_to',
      strict,
      browser,
    );
  });
});

/** XML signature wrapping: a genuinely signed assertion, and an evil one placed where it may be read. */
const XSW = {
  'an unsigned assertion inserted before the signed one': (doc: Document, signed: Element, evil: Element) => {
    signed.parentNode!.insertBefore(evil, signed);
    return doc;
  },
  'an unsigned assertion inserted after the signed one': (doc: Document, signed: Element, evil: Element) => {
    signed.parentNode!.insertBefore(evil, signed.nextSibling);
    return doc;
  },
  'the signed assertion moved into Extensions, an unsigned one in its place': (
    doc: Document,
    signed: Element,
    evil: Element,
  ) => {
    const response = signed.parentNode!;
    const extensions = doc.createElementNS('urn:oasis:names:tc:SAML:2.0:protocol', 'samlp:Extensions');
    response.insertBefore(evil, signed);
    response.removeChild(signed);
    extensions.appendChild(signed);
    response.insertBefore(extensions, response.firstChild!.nextSibling);
    return doc;
  },
  'the signed assertion moved into the signature Object of an unsigned one with its ID': (
    doc: Document,
    signed: Element,
    evil: Element,
  ) => {
    const response = signed.parentNode!;
    evil.setAttribute('ID', signed.getAttribute('ID')!);
    const signature = signed.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!;
    const copy = signature.cloneNode(true) as Element;
    const object = doc.createElementNS('http://www.w3.org/2000/09/xmldsig#', 'ds:Object');
    response.insertBefore(evil, signed);
    response.removeChild(signed);
    object.appendChild(signed);
    copy.appendChild(object);
    evil.insertBefore(
      copy,
      evil.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]!.nextSibling,
    );
    return doc;
  },
} as const;

function wrapped(variant: keyof typeof XSW, recipient: string): string {
  const signedXml = idp.response({
    subject: 'mallory@example.com',
    audience: SP,
    recipient,
    destination: recipient,
  });
  const doc = new DOMParser().parseFromString(signedXml, 'text/xml') as unknown as Document;
  const signed = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')[0]!;
  const evil = signed.cloneNode(true) as Element;
  evil.setAttribute('ID', '_evil');
  for (const sig of Array.from(
    evil.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature'),
  ))
    sig.parentNode!.removeChild(sig);
  const nameId = evil.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'NameID')[0]!;
  nameId.textContent = 'admin@example.com';
  return new XMLSerializer().serializeToString(XSW[variant](doc, signed, evil) as unknown as Node);
}

describe('signature wrapping (XSW)', () => {
  for (const variant of Object.keys(XSW) as (keyof typeof XSW)[]) {
    test(`refused by the gateway: ${variant}`, async () => {
      const message = await assertRefused(wrapped(variant, acsOf(open)), 'saml_wrapped');
      assert.doesNotMatch(message, /admin@example\.com/);
    });

    test(`refused by node-saml alone too: ${variant}`, async () => {
      const saml = new SAML({
        idpCert: idp.key.certificate,
        issuer: SP,
        audience: SP,
        callbackUrl: acsOf(open),
        wantAssertionsSigned: true,
        validateInResponseTo: ValidateInResponseTo.ifPresent,
      });
      const xml = wrapped(variant, acsOf(open));
      await assert.rejects(
        saml.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') }),
        (err: Error) => {
          assert.doesNotMatch(err.message, /admin@example/);
          return true;
        },
      );
    });
  }
});

describe('vigil replay', () => {
  test('shows the refusals with their codes', async () => {
    const refused = (await denials(open)).find((e) => e.payload?.code === 'saml_wrapped');
    assert.ok(refused);
    const run = await runCli(['--data', open.dataDir, 'replay', refused.sessionId]);
    assert.equal(run.code, 0, run.stderr);
    for (const code of [
      'saml_signature_invalid',
      'saml_unsigned',
      'saml_expired',
      'saml_audience',
      'saml_recipient',
      'saml_replayed',
      'saml_wrapped',
    ])
      assert.match(run.stdout, new RegExp(code), `replay shows ${code}`);
  });
});
