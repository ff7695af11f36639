// Property tests for what SAML sign-in parses itself: identity provider metadata (any input fails
// only with config_invalid; generated metadata reads back exactly), the Response shape check (any
// input fails only with a saml_* code), and the used-assertion memory against a reference model,
// including what survives a reload from its file.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../src/core/errors.js';
import { CliHandoff } from '../../src/identity/saml/cli-handoff.js';
import { parseIdpMetadata, pemCertificate } from '../../src/identity/saml/idp-metadata.js';
import { inspectResponse } from '../../src/identity/saml/response-shape.js';
import { UsedAssertions } from '../../src/identity/saml/used-assertions.js';
import { SignInStates } from '../../src/identity/sign-in-states.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

const xmlish = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
    '<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>',
    '<a><b></a>',
  ),
  fc
    .array(
      fc.constantFrom(
        '<',
        '>',
        '/',
        'md:',
        'samlp:',
        'Assertion',
        'ID="x"',
        ' ',
        '"',
        '&',
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"',
      ),
      { maxLength: 30 },
    )
    .map((p) => p.join('')),
);

test('metadata: any input is parsed or refused with config_invalid, nothing else', async () => {
  await fc.assert(
    fc.asyncProperty(xmlish, async (input) => {
      try {
        await parseIdpMetadata(input);
      } catch (err) {
        assert.ok(err instanceof VigilError, String(err));
        assert.equal(err.code, 'config_invalid');
      }
    }),
    { numRuns: 300 },
  );
});

test('metadata: generated descriptors read back (entity id, redirect SSO URL, signing certificates)', async () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
  await fc.assert(
    fc.asyncProperty(
      name,
      name,
      fc.array(fc.integer({ min: 48, max: 400 }), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      async (host, path, certSizes, postFirst, wrapped, encryptionKey) => {
        const certs = certSizes.map((n) => randomBytes(n).toString('base64'));
        const entityId = `https://${host}.example/${path}`;
        const location = `https://${host}.example/sso/${path}`;
        const sso = [
          `<md:SingleSignOnService Binding="${REDIRECT}" Location="${location}"/>`,
          `<md:SingleSignOnService Binding="${POST}" Location="https://${host}.example/post"/>`,
        ];
        if (postFirst) sso.reverse();
        const keys = certs.map(
          (c, i) =>
            `<md:KeyDescriptor${i % 2 ? ' use="signing"' : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${c.match(/.{1,64}/g)!.join('\n')}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
        );
        if (encryptionKey)
          keys.push(
            `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${randomBytes(64).toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
          );
        const entity = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys.join('')}${sso.join('')}</md:IDPSSODescriptor></md:EntityDescriptor>`;
        const xml = wrapped
          ? `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${entity}</md:EntitiesDescriptor>`
          : entity;
        const parsed = await parseIdpMetadata(xml);
        assert.equal(parsed.entityId, entityId);
        assert.equal(parsed.ssoUrl, location);
        assert.deepEqual(parsed.certificates, certs.map(pemCertificate));
      },
    ),
    { numRuns: 100 },
  );
});

test('response shape: any input is refused with a saml_* code, never another failure', async () => {
  await fc.assert(
    fc.asyncProperty(xmlish, async (input) => {
      try {
        await inspectResponse(input);
        assert.fail('nothing here is a signed Response');
      } catch (err) {
        assert.ok(err instanceof VigilError, String(err));
        assert.match(err.code, /^saml_/);
      }
    }),
    { numRuns: 300 },
  );
});

test('used assertions agree with a reference model, whichever replica (instance) asks', async () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('use' as const),
      id: fc.integer({ min: 0, max: 5 }),
      ttl: fc.integer({ min: 1, max: 100 }),
      replica: fc.integer({ min: 0, max: 1 }),
    }),
    fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 60 }) }),
  );
  const store = await openStore(
    configSchema.parse({ append_in_worker: false }),
    mkdtempSync(join(tmpdir(), 'vigil-saml-used-')),
  );
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const issuer = `idp-${run++}`; // each run its own keys in the one store
        let now = 1_000;
        const clock = () => now;
        const replicas = [new UsedAssertions(store.access, clock), new UsedAssertions(store.access, clock)];
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'tick') now += o.ms;
          else {
            const fresh = (model.get(o.id) ?? 0) <= now;
            assert.equal(await replicas[o.replica]!.use(issuer, `_a${o.id}`, now + o.ttl), fresh);
            if (fresh) model.set(o.id, now + o.ttl);
          }
          for (let id = 0; id <= 5; id++)
            assert.equal(await replicas[id % 2]!.has(issuer, `_a${id}`), (model.get(id) ?? 0) > now);
        }
      }),
      { numRuns: 150 },
    );
  } finally {
    await store.close();
  }
});

test('a CLI sign-in code is redeemed once, only with its verifier, and only for a loopback listener', async () => {
  const store = await openStore(
    configSchema.parse({ append_in_worker: false }),
    mkdtempSync(join(tmpdir(), 'vigil-saml-cli-')),
  );
  after(() => store.close());
  const handoff = new CliHandoff(
    SignInStates.forReplicas(generateKeyPairSync('ed25519').privateKey, store.access),
  );
  assert.throws(() => handoff.start('https://evil.example/cb', 'a'.repeat(43)), /loopback/);
  assert.throws(() => handoff.start('http://127.0.0.1:1/cb', 'short'), /code_challenge/);
  const verifier = 'v'.repeat(43);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const relay = handoff.start('http://127.0.0.1:5555/callback', challenge);
  const waiting = await handoff.take(relay);
  assert.ok(waiting);
  assert.equal(await handoff.take(relay), null, 'a RelayState is taken once');
  const result = {
    subject: 's',
    groups: [],
    roles: ['user' as const],
    roleGroups: {},
    token: 't',
    tokenId: 'i',
    expiresAt: 0,
    flow: 'sp_initiated' as const,
  };
  const url = new URL(handoff.handBack(waiting, result));
  assert.equal(url.origin, 'http://127.0.0.1:5555');
  const code = url.searchParams.get('code')!;
  await assert.rejects(() => handoff.redeem(code, 'w'.repeat(43)), /not yours/);
  const again = new URL(handoff.handBack(waiting, result)).searchParams.get('code')!;
  assert.equal((await handoff.redeem(again, verifier)).token, 't');
  await assert.rejects(() => handoff.redeem(again, verifier), /already used/);
});
