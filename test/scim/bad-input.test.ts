// Hostile and malformed SCIM requests against a real gateway: malformed and oversized bodies, deep
// JSON, unknown attributes, huge and injected filters, wrong or missing bearer tokens. Each gets a
// clear SCIM error, and nothing changes: the SCIM tables and the access version are as before.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { assertScimError, issueScimToken, patchOps, ScimClient, USER_SCHEMA } from './scim-client.js';

let gateway: TestGateway;
let scim: ScimClient;
let userId: string;

before(async () => {
  gateway = await startTestGateway({
    identity: { scim: { enabled: true, max_body_bytes: 64 * 1024 } },
    connections: [],
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'hostile'));
  userId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'victim@example.com' })).body.id;
});
after(() => gateway?.close());

/** Runs `attempt` and checks that the SCIM state and the access version did not move. */
async function nothingChanges(attempt: () => Promise<void>): Promise<void> {
  const snapshot = async () =>
    JSON.stringify([
      await gateway.store.access.listScimUsers(),
      await gateway.store.access.listScimGroups(),
      await gateway.store.access.accessVersion(),
      await gateway.store.access.disabledIdentities(),
    ]);
  const before = await snapshot();
  await attempt();
  assert.equal(await snapshot(), before);
}

test('a wrong, missing or non-SCIM bearer token: 401 SCIM error, recorded as access.denied, nothing changed', () =>
  nothingChanges(async () => {
    const patchOff = patchOps({ op: 'replace', path: 'active', value: false });
    for (const token of ['vscim_wrong', 'not-a-scim-token', TOKENS.alice]) {
      const wrong = new ScimClient(gateway, token);
      assertScimError(await wrong.patch(`/Users/${userId}`, patchOff), 401);
      assertScimError(await wrong.get('/Users'), 401);
    }
    const res = await fetch(`${gateway.url}/scim/v2/Users/${userId}`, { method: 'DELETE' });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'application/scim+json');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    await gateway.recorder.drain();
    const [anon] = await gateway.store.ledger.listSessions({ connection: 'scim', identity: 'anonymous' });
    assert.ok(anon, 'refusals are recorded');
    const events = await gateway.store.ledger.readSession(anon.id);
    assert.ok(events.some((e) => e.type === 'access.denied' && e.payload?.method === 'PATCH'));
    assert.ok(!JSON.stringify(events).includes('vscim_wrong'), 'the presented token is not recorded');
  }));

test('malformed, oversized and deeply nested bodies', () =>
  nothingChanges(async () => {
    assertScimError(
      await scim.call('POST', '/Users', '{"schemas": ["x"], "userName": '),
      400,
      'invalidSyntax',
    );
    assertScimError(await scim.call('POST', '/Users', '["an", "array"]'), 400, 'invalidSyntax');
    assertScimError(await scim.call('PATCH', `/Users/${userId}`, ''), 400, 'invalidSyntax');
    assertScimError(
      await scim.post('/Users', {
        schemas: [USER_SCHEMA],
        userName: 'x@example.com',
        title: 'x'.repeat(70 * 1024),
      }),
      413,
    );
    const deep = `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`;
    assertScimError(await scim.call('POST', '/Users', deep), 400, 'invalidSyntax');
    assertScimError(await scim.post('/Users', { userName: 'no-schemas@example.com' }), 400, 'invalidSyntax');
    assertScimError(await scim.post('/Users', { schemas: [USER_SCHEMA] }), 400, 'invalidValue');
    assertScimError(
      await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'a\u0000b' }),
      400,
      'invalidValue',
    );
    assertScimError(
      await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'x@example.com', active: 'maybe' }),
      400,
      'invalidValue',
    );
    assertScimError(
      await scim.patch(`/Users/${userId}`, { Operations: [{ op: 'replace', value: { active: false } }] }),
      400,
      'invalidSyntax',
    );
    assertScimError(
      await scim.patch(`/Users/${userId}`, patchOps({ op: 'replace', path: 'active', value: 'nope' })),
      400,
      'invalidValue',
    );
  }));

test('unknown attributes and paths are refused, not silently kept', () =>
  nothingChanges(async () => {
    assertScimError(
      await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'x@example.com', isAdmin: true }),
      400,
      'invalidSyntax',
    );
    assertScimError(
      await scim.patch(`/Users/${userId}`, patchOps({ op: 'add', path: 'roles2', value: 'x' })),
      400,
      'invalidPath',
    );
    assertScimError(
      await scim.patch(`/Users/${userId}`, patchOps({ op: 'replace', value: { superuser: true } })),
      400,
      'invalidPath',
    );
    assertScimError(
      await scim.patch(`/Users/${userId}`, patchOps({ op: 'replace', path: 'meta.created', value: 'x' })),
      400,
      'mutability',
    );
    assertScimError(
      await scim.patch(`/Users/${userId}`, patchOps({ op: 'replace', path: 'members[value eq', value: 'x' })),
      400,
      'invalidPath',
    );
  }));

test('huge and injected filters: invalidFilter, never a quote of the input, never a match', () =>
  nothingChanges(async () => {
    const list = (filter: string) => scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
    const huge = await list(`userName eq "${'a'.repeat(5000)}"`);
    assertScimError(huge, 400, 'invalidFilter');
    assert.ok(huge.body.detail.length < 200);
    assertScimError(await list(`${'('.repeat(300)}userName pr${')'.repeat(300)}`), 400, 'invalidFilter');
    assertScimError(
      await list(Array.from({ length: 100 }, () => 'userName pr').join(' or ')),
      400,
      'invalidFilter',
    );
    const injected = await list('userName eq "x" or 1 eq 1');
    assertScimError(injected, 400, 'invalidFilter');
    const sql = await list(`userName eq "victim@example.com' OR '1'='1"`);
    assert.equal(sql.status, 200);
    assert.equal(sql.body.totalResults, 0, 'the quote is part of the value');
    const quoted = await list('userName eq "secret-looking-value');
    assertScimError(quoted, 400, 'invalidFilter');
    assert.ok(!quoted.body.detail.includes('secret-looking-value'));
    assertScimError(await scim.get('/Users?count=1e9'), 400, 'invalidValue');
    assert.equal((await scim.get('/Users?count=999999')).body.itemsPerPage <= 1000, true);
  }));
