// Attacker: an application the person also signed in to holds an access token from the same
// provider whose audience names Vigil's client (Keycloak lists every client whose roles the token
// carries; Entra ID names an API's own client id), and trades it at `POST /auth/exchange` as though
// it were an id_token: same keys, same issuer, `aud` = our client_id. What tells it apart is checked
// on the verified token (src/identity/id-token-checks.ts): `azp` and `client_id` name our client
// when present, and a token typed as an access token is refused. Real id_tokens from the test
// provider still sign in (oidc-sign-in.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertIdTokenFor } from '../../src/identity/id-token-checks.js';

const base = { iss: 'https://idp.example.com', sub: 'u1', aud: 'vigil', exp: 2e9, iat: 1.9e9 };

test('an id_token for this client passes: azp and client_id absent or ours, typ JWT or ID', () => {
  assertIdTokenFor({ alg: 'RS256', typ: 'JWT' }, base, 'vigil');
  assertIdTokenFor({ alg: 'RS256' }, { ...base, azp: 'vigil', typ: 'ID' }, 'vigil');
  assertIdTokenFor({ alg: 'RS256' }, { ...base, client_id: 'vigil' }, 'vigil');
});

test('a token for several audiences must name this client in azp, which it may not leave out', () => {
  const shared = { ...base, aud: ['vigil', 'other-app'] };
  assert.throws(() => assertIdTokenFor({ alg: 'RS256' }, shared, 'vigil'), {
    code: 'auth_invalid',
    message: /azp/,
  });
  assert.throws(() => assertIdTokenFor({ alg: 'RS256' }, { ...shared, azp: 'other-app' }, 'vigil'), {
    code: 'auth_invalid',
  });
  assertIdTokenFor({ alg: 'RS256' }, { ...shared, azp: 'vigil' }, 'vigil');
});

test("another client's access token naming our client as its only audience is refused", () => {
  // Keycloak: aud "vigil" (a client whose roles the token carries), azp the app that asked for it.
  assert.throws(
    () => assertIdTokenFor({ alg: 'RS256', typ: 'JWT' }, { ...base, azp: 'other-app' }, 'vigil'),
    {
      code: 'auth_invalid',
      message: /azp/,
    },
  );
  assert.throws(() => assertIdTokenFor({ alg: 'RS256' }, { ...base, typ: 'Bearer', azp: 'vigil' }, 'vigil'), {
    code: 'auth_invalid',
  });
  assert.throws(() => assertIdTokenFor({ alg: 'RS256', typ: 'at+jwt' }, base, 'vigil'), {
    code: 'auth_invalid',
  });
  assert.throws(() => assertIdTokenFor({ alg: 'RS256', typ: 'application/AT+JWT' }, base, 'vigil'), {
    code: 'auth_invalid',
  });
  assert.throws(() => assertIdTokenFor({ alg: 'RS256' }, { ...base, client_id: 'other-app' }, 'vigil'), {
    code: 'auth_invalid',
    message: /client_id/,
  });
});

test('any azp or client_id but our client id is refused; ours or none passes', () => {
  fc.assert(
    fc.property(
      fc.option(fc.string(), { nil: undefined }),
      fc.option(fc.string(), { nil: undefined }),
      (azp, clientId) => {
        const payload = {
          ...base,
          ...(azp === undefined ? {} : { azp }),
          ...(clientId === undefined ? {} : { client_id: clientId }),
        };
        const ours =
          (azp === undefined || azp === 'vigil') && (clientId === undefined || clientId === 'vigil');
        let passed = true;
        try {
          assertIdTokenFor({ alg: 'RS256' }, payload, 'vigil');
        } catch {
          passed = false;
        }
        assert.equal(passed, ours);
      },
    ),
  );
});
