// A SAML 2.0 identity provider for tests, independent of the code under test: its own RSA key and
// self-signed certificate (openssl), Responses built here and signed with xml-crypto over
// @xmldom/xmldom (never node-saml), metadata at /metadata, and an SSO endpoint that takes an
// AuthnRequest over HTTP-Redirect and answers the auto-post form a real provider sends the browser.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

export interface SigningKey {
  readonly privateKey: string;
  readonly certificate: string;
}

/** A fresh RSA key and a self-signed certificate for it. */
export function makeSigningKey(commonName: string): SigningKey {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-saml-key-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      privateKey: readFileSync(join(dir, 'key.pem'), 'utf8'),
      certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface AssertionOptions {
  readonly subject: string;
  readonly attributes?: Record<string, string | readonly string[]>;
  readonly audience: string;
  readonly recipient: string;
  /** The Response's Destination (null: none). */
  readonly destination?: string | null;
  readonly inResponseTo?: string | null;
  /** Validity window; defaults to now - 1 min .. now + 5 min. */
  readonly notBefore?: Date;
  readonly notOnOrAfter?: Date;
  readonly issuer?: string;
  readonly signAssertion?: boolean;
  readonly signResponse?: boolean;
  /** Sign with this key instead of the provider's (a forgery). */
  readonly signingKey?: SigningKey;
}

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export class TestSamlIdp {
  readonly key: SigningKey;
  readonly entityId: string;
  readonly url: string;
  /** Who the SSO endpoint signs in next, with which attributes. */
  user: { subject: string; attributes: Record<string, string | readonly string[]> } = {
    subject: 'alice@example.com',
    attributes: {},
  };
  /** The AuthnRequests the SSO endpoint received (decoded XML), newest last. */
  readonly requests: string[] = [];
  /** Changes what the SSO endpoint issues (e.g. a wrong audience), after it read the request. */
  tweak: (options: AssertionOptions) => AssertionOptions = (o) => o;
  readonly #server: Server;

  private constructor(server: Server, url: string, key: SigningKey) {
    this.#server = server;
    this.url = url;
    this.entityId = `${url}/idp`;
    this.key = key;
  }

  static async start(): Promise<TestSamlIdp> {
    const key = makeSigningKey('vigil-test-idp');
    let idp: TestSamlIdp | null = null;
    const server = createServer((req, res) => {
      try {
        idp!.#serve(req.url ?? '/', res);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    idp = new TestSamlIdp(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key);
    return idp;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  metadata(): string {
    const cert = certificateBody(this.key.certificate);
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${this.entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${SAMLP}">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.url}/sso"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${this.url}/sso-post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** A Response as XML, signed as asked (the assertion by default). */
  response(options: AssertionOptions): string {
    const now = Date.now();
    const issuer = options.issuer ?? this.entityId;
    const notBefore = (options.notBefore ?? new Date(now - 60_000)).toISOString();
    const notOnOrAfter = (options.notOnOrAfter ?? new Date(now + 5 * 60_000)).toISOString();
    const inResponseTo = options.inResponseTo ? ` InResponseTo="${esc(options.inResponseTo)}"` : '';
    const destination = options.destination ? ` Destination="${esc(options.destination)}"` : '';
    const assertionId = `_a${randomBytes(16).toString('hex')}`;
    const attributes = Object.entries(options.attributes ?? {})
      .map(
        ([name, value]) =>
          `<saml:Attribute Name="${esc(name)}">${(typeof value === 'string' ? [value] : value)
            .map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`)
            .join('')}</saml:Attribute>`,
      )
      .join('');
    let xml = `<samlp:Response xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${new Date(now).toISOString()}"${destination}${inResponseTo}><saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${new Date(now).toISOString()}"><saml:Issuer>${esc(issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(options.subject)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(options.recipient)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${esc(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${new Date(now).toISOString()}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : ''}</saml:Assertion></samlp:Response>`;
    const key = options.signingKey ?? this.key;
    if (options.signAssertion ?? true) xml = signElement(xml, 'Assertion', key);
    if (options.signResponse) xml = signElement(xml, 'Response', key);
    return xml;
  }

  #serve(path: string, res: import('node:http').ServerResponse): void {
    const url = new URL(path, this.url);
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(this.metadata());
      return;
    }
    if (url.pathname !== '/sso') {
      res.writeHead(404).end();
      return;
    }
    const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString(
      'utf8',
    );
    this.requests.push(request);
    const doc = new DOMParser().parseFromString(request, 'text/xml');
    const authn = doc.documentElement!;
    const acs = authn.getAttribute('AssertionConsumerServiceURL')!;
    const spEntityId = authn.getElementsByTagNameNS(SAML, 'Issuer')[0]?.textContent ?? '';
    const options = this.tweak({
      subject: this.user.subject,
      attributes: this.user.attributes,
      audience: spEntityId,
      recipient: acs,
      destination: acs,
      inResponseTo: authn.getAttribute('ID'),
    });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(autoPostForm(options.recipient, this.response(options), url.searchParams.get('RelayState')));
  }
}

/** The page a provider answers with: a form the browser posts to the ACS URL on load. */
export function autoPostForm(action: string, responseXml: string, relayState: string | null): string {
  const relay = relayState ? `<input type="hidden" name="RelayState" value="${esc(relayState)}"/>` : '';
  return `<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(action)}"><input type="hidden" name="SAMLResponse" value="${Buffer.from(responseXml).toString('base64')}"/>${relay}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}

/** An enveloped signature inside the element (after its Issuer, as the schema orders it). */
export function signElement(xml: string, localName: 'Assertion' | 'Response', key: SigningKey): string {
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  const target = `//*[local-name(.)='${localName}']`;
  sig.addReference({ xpath: target, digestAlgorithm: SHA256, transforms: [ENVELOPED, EXC_C14N] });
  sig.computeSignature(xml, {
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

export function parseAutoPostForm(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*action="([^"]*)"/.exec(html);
  if (!form) return null;
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[m[1]!] = unesc(m[2]!);
  return { action: unesc(form[1]!), fields };
}

function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function unesc(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!,
  );
}
