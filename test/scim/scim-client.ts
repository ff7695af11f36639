// A SCIM client for the tests, speaking to a real gateway over HTTP as an identity provider does:
// a bearer token issued through the admin API, JSON bodies, the answer's status, headers and body.
import assert from 'node:assert/strict';
import { type TestGateway, TOKENS } from '../support/gateway.js';

export interface ScimAnswer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: SCIM bodies are free-form JSON read by the assertions
  readonly body: any;
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Issues a SCIM token the way an admin does (the admin API, as `vigil scim token` calls it). */
export async function issueScimToken(gateway: TestGateway, name: string): Promise<string> {
  const res = await fetch(`${gateway.url}/api/scim/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { token: string }).token;
}

export class ScimClient {
  readonly #base: string;
  readonly #token: string;
  readonly #headers: Record<string, string>;

  constructor(gateway: TestGateway, token: string, headers: Record<string, string> = {}) {
    this.#base = `${gateway.url}/scim/v2`;
    this.#token = token;
    this.#headers = headers;
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimAnswer> {
    const res = await fetch(this.#base + path, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...this.#headers,
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? null : JSON.parse(text) };
  }

  get = (path: string) => this.call('GET', path);
  post = (path: string, body: unknown) => this.call('POST', path, body);
  put = (path: string, body: unknown) => this.call('PUT', path, body);
  patch = (path: string, body: unknown) => this.call('PATCH', path, body);
  delete = (path: string) => this.call('DELETE', path);

  /** A call that must succeed (a status below 300); its answer's body. */
  async ok(method: string, path: string, body?: unknown): Promise<ScimAnswer['body']> {
    return assertScimOk(await this.call(method, path, body), `SCIM ${method} ${path}`).body;
  }

  /** Creates a user, which must succeed; its id. `extra` adds attributes to the resource. */
  async createUser(userName: string, extra: object = {}): Promise<string> {
    return (await this.ok('POST', '/Users', { schemas: [USER_SCHEMA], userName, ...extra })).id;
  }

  /** Creates a group with these members (user ids), which must succeed; its id. */
  async createGroup(displayName: string, memberIds: readonly string[]): Promise<string> {
    const members = memberIds.map((value) => ({ value }));
    return (await this.ok('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName, members })).id;
  }

  /** Takes one member out of a group, as providers do with a PATCH remove; it must succeed. */
  async removeMember(groupId: string, userId: string): Promise<void> {
    const remove = { op: 'remove', path: `members[value eq "${userId}"]` };
    await this.ok('PATCH', `/Groups/${groupId}`, patchOps(remove));
  }

  /** Deactivates or re-activates a user, as providers do with a PATCH of `active`; it must succeed. */
  async setActive(id: string, value: boolean): Promise<void> {
    await this.ok('PATCH', `/Users/${id}`, patchOps({ op: 'replace', path: 'active', value }));
  }
}

export function patchOps(...ops: object[]): object {
  return { schemas: [PATCH_SCHEMA], Operations: ops };
}

/** Asserts that a call succeeded (a status below 300); the answer, for chaining. */
export function assertScimOk(answer: ScimAnswer, what = 'SCIM call'): ScimAnswer {
  assert.ok(answer.status < 300, `${what}: ${answer.status}`);
  return answer;
}

/** Asserts a SCIM error answer (RFC 7644 §3.12) with this status and, when given, scimType. */
export function assertScimError(answer: ScimAnswer, status: number, scimType?: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.headers.get('content-type'), 'application/scim+json');
  assert.deepEqual(answer.body.schemas, [ERROR_SCHEMA]);
  assert.equal(answer.body.status, String(status));
  assert.equal(typeof answer.body.detail, 'string');
  if (scimType !== undefined) assert.equal(answer.body.scimType, scimType);
}
