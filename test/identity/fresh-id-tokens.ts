// New id_tokens from the test OpenID provider, as `vigil login` obtains them. An id_token signs in
// once (attacker-id-token-replay.test.ts), and this provider's id_tokens (no jti, and no nonce in
// this flow) are the same bytes for two sign-ins of one person within one second: one credential.
// So a new one is asked for until it differs from every one handed out before.
import { accessTokenFor, type TestProvider } from '../support/oidc-provider.js';

export function freshIdTokens(provider: TestProvider, account: string): () => Promise<string> {
  const issued = new Set<string>();
  return async () => {
    provider.signInAs = account;
    for (;;) {
      const id = (await accessTokenFor(provider, 'http://127.0.0.1:1/unused')).idToken;
      if (!issued.has(id)) {
        issued.add(id);
        return id;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
}
