// RFC 7644 compliance over HTTP against a real gateway: discovery endpoints, create/get/replace/
// patch/delete of Users and Groups, filters, pagination, attribute projection, ETags and Location,
// and the SCIM error format with its scimType.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  assertScimError,
  GROUP_SCHEMA,
  issueScimToken,
  patchOps,
  ScimClient,
  USER_SCHEMA,
} from './scim-client.js';

let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  gateway = await startTestGateway({ identity: { scim: { enabled: true } }, connections: [] });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'compliance'));
});
after(() => gateway?.close());

const newUser = (userName: string, extra: object = {}) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: userName.split('@')[0], familyName: 'Test' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  ...extra,
});

test('discovery: ServiceProviderConfig, Schemas and ResourceTypes', async () => {
  const config = await scim.get('/ServiceProviderConfig');
  assert.equal(config.status, 200);
  assert.equal(config.headers.get('content-type'), 'application/scim+json');
  assert.deepEqual(config.body.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
  assert.equal(config.body.patch.supported, true);
  assert.equal(config.body.filter.supported, true);
  assert.equal(config.body.bulk.supported, false);
  assert.equal(config.body.authenticationSchemes[0].type, 'oauthbearertoken');

  const schemas = await scim.get('/Schemas');
  assert.equal(schemas.body.totalResults, 3);
  const ids = schemas.body.Resources.map((s: { id: string }) => s.id);
  assert.ok(ids.includes(USER_SCHEMA) && ids.includes(GROUP_SCHEMA));
  const userSchema = await scim.get(`/Schemas/${USER_SCHEMA}`);
  assert.equal(userSchema.status, 200);
  assert.ok(userSchema.body.attributes.some((a: { name: string }) => a.name === 'userName'));
  assertScimError(await scim.get('/Schemas/urn:nothing'), 404);

  const types = await scim.get('/ResourceTypes');
  assert.deepEqual(
    types.body.Resources.map((t: { endpoint: string }) => t.endpoint),
    ['/Users', '/Groups'],
  );
  assert.equal((await scim.get('/ResourceTypes/User')).body.schema, USER_SCHEMA);
});

test('Users: create, get, replace, patch, delete, with meta, ETag and Location', async () => {
  const created = await scim.post('/Users', newUser('carol@example.com', { externalId: 'okta-carol' }));
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  assert.equal(created.body.userName, 'carol@example.com');
  assert.equal(created.body.meta.resourceType, 'User');
  assert.equal(created.headers.get('location'), created.body.meta.location);
  assert.ok(created.body.meta.location.endsWith(`/scim/v2/Users/${id}`));
  assert.equal(created.headers.get('etag'), created.body.meta.version);
  assert.equal(created.body.password, undefined);

  const got = await scim.get(`/Users/${id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body.name, { givenName: 'carol', familyName: 'Test' });
  assert.deepEqual(got.body.groups, []);

  const replaced = await scim.put(
    `/Users/${id}`,
    newUser('carol@example.com', { title: 'Engineer', externalId: 'okta-carol' }),
  );
  assert.equal(replaced.status, 200);
  assert.equal(replaced.body.title, 'Engineer');
  assert.notEqual(replaced.body.meta.version, created.body.meta.version);

  const patched = await scim.patch(
    `/Users/${id}`,
    patchOps({ op: 'replace', path: 'name.givenName', value: 'Caroline' }),
  );
  assert.equal(patched.status, 200);
  assert.equal(patched.body.name.givenName, 'Caroline');
  assert.equal(patched.body.name.familyName, 'Test');

  assertScimError(await scim.put(`/Users/${id}`, newUser('someone-else@example.com')), 400, 'mutability');
  assertScimError(await scim.post('/Users', newUser('CAROL@example.com')), 409, 'uniqueness');

  const deleted = await scim.delete(`/Users/${id}`);
  assert.equal(deleted.status, 204);
  assertScimError(await scim.get(`/Users/${id}`), 404);
  assertScimError(await scim.delete(`/Users/${id}`), 404);
});

test('Groups: create with members, membership shown on both sides, patch and delete', async () => {
  const dave = (await scim.post('/Users', newUser('dave@example.com'))).body;
  const erin = (await scim.post('/Users', newUser('erin@example.com'))).body;
  const group = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'data-eng',
    members: [{ value: dave.id }],
  });
  assert.equal(group.status, 201);
  assert.deepEqual(
    group.body.members.map((m: { value: string; display: string }) => [m.value, m.display]),
    [[dave.id, 'dave@example.com']],
  );
  assert.deepEqual(
    (await scim.get(`/Users/${dave.id}`)).body.groups.map((g: { display: string }) => g.display),
    ['data-eng'],
  );
  const added = await scim.patch(
    `/Groups/${group.body.id}`,
    patchOps({ op: 'add', path: 'members', value: [{ value: erin.id }] }),
  );
  assert.equal(added.body.members.length, 2);
  const removed = await scim.patch(
    `/Groups/${group.body.id}`,
    patchOps({ op: 'remove', path: `members[value eq "${dave.id}"]` }),
  );
  assert.deepEqual(
    removed.body.members.map((m: { value: string }) => m.value),
    [erin.id],
  );
  const excluded = await scim.get(`/Groups/${group.body.id}?excludedAttributes=members`);
  assert.equal(excluded.body.members, undefined);
  assert.equal(excluded.body.id, group.body.id);
  assertScimError(
    await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'DATA-ENG' }),
    409,
    'uniqueness',
  );
  assertScimError(
    await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'x',
      members: [{ value: 'scu_nobody' }],
    }),
    400,
    'invalidValue',
  );
  assert.equal((await scim.delete(`/Groups/${group.body.id}`)).status, 204);
  assert.deepEqual((await scim.get(`/Users/${erin.id}`)).body.groups, []);
});

test('filters, pagination and attribute projection on /Users', async () => {
  for (let i = 0; i < 7; i++) {
    const created = await scim.post('/Users', newUser(`page${i}@example.org`, { externalId: `ext-${i}` }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const all = await scim.get('/Users?filter=' + encodeURIComponent('userName ew "@example.org"'));
  assert.equal(all.body.totalResults, 7);
  assert.deepEqual(all.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);

  const page = await scim.get(
    `/Users?filter=${encodeURIComponent('userName sw "page"')}&startIndex=3&count=2`,
  );
  assert.equal(page.body.totalResults, 7);
  assert.equal(page.body.startIndex, 3);
  assert.equal(page.body.itemsPerPage, 2);
  assert.deepEqual(
    page.body.Resources.map((u: { userName: string }) => u.userName),
    ['page2@example.org', 'page3@example.org'],
  );
  const countZero = await scim.get('/Users?count=0');
  assert.ok(countZero.body.totalResults >= 7);
  assert.deepEqual(countZero.body.Resources, []);

  const q = async (filter: string) =>
    (await scim.get(`/Users?filter=${encodeURIComponent(filter)}`)).body.Resources.map(
      (u: { userName: string }) => u.userName,
    );
  assert.deepEqual(await q('userName eq "PAGE1@example.org"'), ['page1@example.org']);
  assert.deepEqual(await q('externalId eq "ext-4"'), ['page4@example.org']);
  assert.deepEqual(await q('externalId eq "EXT-4"'), [], 'externalId is case-exact');
  assert.deepEqual(await q('userName eq "page1@example.org" or userName eq "page2@example.org"'), [
    'page1@example.org',
    'page2@example.org',
  ]);
  assert.deepEqual(await q('externalId pr and userName co "page6"'), ['page6@example.org']);
  assert.deepEqual(await q('emails[type eq "work" and value eq "page5@example.org"]'), ['page5@example.org']);
  const id = (await scim.get(`/Users?filter=${encodeURIComponent('userName eq "page0@example.org"')}`)).body
    .Resources[0].id;
  assert.deepEqual(await q(`id eq "${id}"`), ['page0@example.org']);

  const projected = await scim.get(
    `/Users?filter=${encodeURIComponent('userName eq "page0@example.org"')}&attributes=userName`,
  );
  assert.deepEqual(Object.keys(projected.body.Resources[0]).sort(), ['id', 'schemas', 'userName']);

  const groups = await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "nothing-here"')}`);
  assert.equal(groups.body.totalResults, 0);

  assertScimError(
    await scim.get(`/Users?filter=${encodeURIComponent('userName zz "x"')}`),
    400,
    'invalidFilter',
  );
  assertScimError(await scim.get('/Users?startIndex=abc'), 400, 'invalidValue');
});

test('errors: unknown resources and routes, unsupported methods, SCIM error bodies', async () => {
  assertScimError(await scim.get('/Users/scu_doesnotexist'), 404);
  assertScimError(await scim.get('/Widgets'), 404);
  assertScimError(await scim.call('PATCH', '/Users', patchOps({ op: 'add', value: {} })), 404);
  const noPath = await scim.post('/Users', newUser('frank@example.com'));
  assertScimError(await scim.patch(`/Users/${noPath.body.id}`, patchOps({ op: 'remove' })), 400, 'noTarget');
  assertScimError(
    await scim.patch(`/Users/${noPath.body.id}`, patchOps({ op: 'replace', path: 'id', value: 'x' })),
    400,
    'mutability',
  );
  assertScimError(
    await scim.patch(
      `/Users/${noPath.body.id}`,
      patchOps({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'x' } }),
    ),
    400,
    'noTarget',
  );
  assertScimError(
    await scim.patch(`/Users/${noPath.body.id}`, patchOps({ op: 'move', path: 'title' })),
    400,
    'invalidSyntax',
  );
});
