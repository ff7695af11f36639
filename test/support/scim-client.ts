// SCIM as an identity provider drives it, for tests: a SCIM token issued through the admin API
// (as alice, an admin), then requests to /scim/v2 with it.
import assert from 'node:assert/strict';
import { type TestGateway, TOKENS } from './gateway.js';

const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

export class ScimClient {
  readonly #gateway: TestGateway;
  readonly #token: string;

  private constructor(gateway: TestGateway, token: string) {
    this.#gateway = gateway;
    this.#token = token;
  }

  static async issue(gateway: TestGateway): Promise<ScimClient> {
    const issued = await fetch(`${gateway.url}/api/scim/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'idp' }),
    });
    return new ScimClient(gateway, ((await issued.json()) as { token: string }).token);
  }

  /** One SCIM request, which must succeed; its answer's id. */
  async request(method: string, path: string, body: object): Promise<{ id: string }> {
    const res = await fetch(`${this.#gateway.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.status < 300, `SCIM ${method} ${path}: ${res.status}`);
    return (await res.json()) as { id: string };
  }

  createUser(userName: string): Promise<{ id: string }> {
    return this.request('POST', '/Users', { schemas: [SCIM_USER_SCHEMA], userName });
  }

  setActive(id: string, value: boolean): Promise<{ id: string }> {
    return this.request('PATCH', `/Users/${id}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'replace', path: 'active', value }],
    });
  }
}
