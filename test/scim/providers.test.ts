// The request sequences Okta and Entra ID send (their documented shapes: Okta's PUT for profile
// updates and PATCH {active:false}; Entra's capitalised ops, "False" strings, path filters and member
// removal by value) against a real gateway, with the effect checked where it matters: a Vigil token
// of the provisioned person calling a model connection whose allow list needs group:ai-eng.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { GROUP_SCHEMA, issueScimToken, patchOps, ScimClient, USER_SCHEMA } from './scim-client.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    identity: { scim: { enabled: true } },
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] }],
  });
});
after(async () => {
  await gateway?.close();
  await model?.close();
});

/** A token as sign-in issues it: the provider's claims carry no groups here, SCIM supplies them. */
async function signIn(subject: string): Promise<string> {
  return (await gateway.vigilTokens.issue({ subject, groups: [], roles: ['user'], ttlMs: 3_600_000 })).token;
}

/** What the data path says to this token: 200, or the error code. */
async function modelAccess(token: string): Promise<string> {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: token, maxRetries: 0 });
  try {
    await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    return 'ok';
  } catch (err) {
    return (err as { headers?: Headers }).headers?.get('x-vigil-error') ?? String(err);
  }
}

test('Okta: create, add to group, PUT update, deactivate, reactivate, group removal', async () => {
  const scim = new ScimClient(gateway, await issueScimToken(gateway, 'okta'), {
    'x-okta-request-id': 'okta-req-1',
  });
  const userName = 'olivia@example.com';
  // Okta first asks whether the user exists.
  const lookup = await scim.get(
    `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
  );
  assert.equal(lookup.body.totalResults, 0);
  const created = await scim.post('/Users', {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Olivia', familyName: 'Okta' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Olivia Okta',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: 'Okta-sends-a-1-time-password',
    active: true,
  });
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  assert.equal(
    JSON.stringify((await gateway.store.access.listScimUsers()).find((u) => u.id === id)).includes(
      'Okta-sends',
    ),
    false,
    'the password is never stored',
  );

  const token = await signIn(userName);
  assert.equal(await modelAccess(token), 'forbidden_connection', 'not yet in ai-eng');

  const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'ai-eng', members: [] });
  assert.equal(group.status, 201);
  const gid = group.body.id as string;
  const added = await scim.patch(
    `/Groups/${gid}`,
    patchOps({ op: 'add', path: 'members', value: [{ value: id, display: userName }] }),
  );
  assert.equal(added.status, 200);
  assert.equal(await modelAccess(token), 'ok', 'SCIM membership gives group:ai-eng');

  // Okta updates a profile with PUT of the whole user.
  const put = await scim.put(`/Users/${id}`, {
    ...created.body,
    name: { givenName: 'Olivia', familyName: 'Renamed' },
  });
  assert.equal(put.status, 200);
  assert.equal(put.body.name.familyName, 'Renamed');
  assert.equal(await modelAccess(token), 'ok');

  // Deactivation: Okta's PATCH with the value object.
  const off = await scim.patch(`/Users/${id}`, patchOps({ op: 'replace', value: { active: false } }));
  assert.equal(off.status, 200);
  assert.equal(off.body.active, false);
  assert.equal(await modelAccess(token), 'auth_revoked');

  // Re-activation restores the right to sign in, not the old token.
  await sleep(1100); // a token's iat has whole seconds
  const on = await scim.patch(`/Users/${id}`, patchOps({ op: 'replace', value: { active: true } }));
  assert.equal(on.body.active, true);
  assert.equal(await modelAccess(token), 'auth_revoked', 'the old token stays void');
  const fresh = await signIn(userName);
  assert.equal(await modelAccess(fresh), 'ok', 'a new sign-in works, still in ai-eng');

  // Okta renames a group with its own id in the value, and removes a member with a path filter.
  const renamed = await scim.patch(
    `/Groups/${gid}`,
    patchOps({ op: 'replace', value: { id: gid, displayName: 'ai-eng' } }),
  );
  assert.equal(renamed.status, 200);
  const removed = await scim.patch(
    `/Groups/${gid}`,
    patchOps({ op: 'remove', path: `members[value eq "${id}"]` }),
  );
  assert.deepEqual(removed.body.members, []);
  assert.equal(await modelAccess(fresh), 'forbidden_connection', 'out of ai-eng, out of the connection');
  assert.equal((await scim.delete(`/Groups/${gid}`)).status, 204);
});

test('Entra ID: create, add to group, capitalised ops and "False", path filters, delete', async () => {
  const scim = new ScimClient(gateway, await issueScimToken(gateway, 'entra'), {
    'client-request-id': 'entra-7f3a',
  });
  const userName = 'Test_User_ed@contoso.example';
  const lookup = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  assert.equal(lookup.body.totalResults, 0);
  const created = await scim.post('/Users', {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: 'Test_User_ed@contoso.example' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Ed Test', familyName: 'Test', givenName: 'Ed' },
    roles: [],
  });
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  // Entra checks by externalId too.
  const byExternal = await scim.get(
    `/Users?filter=${encodeURIComponent('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`,
  );
  assert.equal(byExternal.body.Resources[0].id, id);

  const group = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    displayName: 'ai-eng',
    meta: { resourceType: 'Group' },
  });
  assert.equal(group.status, 201, JSON.stringify([group.body, await gateway.store.access.listScimGroups()]));
  const gid = group.body.id as string;
  const lookupGroup = await scim.get(
    `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "ai-eng"')}`,
  );
  assert.equal(lookupGroup.body.Resources[0].id, gid);
  assert.equal(lookupGroup.body.Resources[0].members, undefined);

  const add = await scim.patch(
    `/Groups/${gid}`,
    patchOps({ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }),
  );
  assert.equal(add.status, 200);
  const isMember = await scim.get(
    `/Groups?filter=${encodeURIComponent(`id eq "${gid}" and members[value eq "${id}"]`)}`,
  );
  assert.equal(isMember.body.totalResults, 1);
  const token = await signIn(userName);
  assert.equal(await modelAccess(token), 'ok');

  // Entra's attribute updates: path filters, capitalised ops, the enterprise extension, a pathless value.
  const updated = await scim.patch(
    `/Users/${id}`,
    patchOps(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ed.updated@contoso.example' },
      { op: 'Replace', path: 'name.familyName', value: 'Updated' },
      { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Research' },
      { op: 'Add', value: { displayName: 'Ed Updated', 'name.givenName': 'Edward' } },
    ),
  );
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.equal(updated.body.emails[0].value, 'ed.updated@contoso.example');
  assert.equal(updated.body.name.familyName, 'Updated');
  assert.equal(updated.body.name.givenName, 'Edward');
  assert.equal(updated.body[ENTERPRISE].department, 'Research');
  assert.equal(updated.body.displayName, 'Ed Updated');

  // Disable as Entra sends it: a capitalised op and the string "False".
  const off = await scim.patch(`/Users/${id}`, patchOps({ op: 'Replace', path: 'active', value: 'False' }));
  assert.equal(off.body.active, false);
  assert.equal(await modelAccess(token), 'auth_revoked');
  await sleep(1100);
  const on = await scim.patch(`/Users/${id}`, patchOps({ op: 'Replace', path: 'active', value: 'True' }));
  assert.equal(on.body.active, true);
  const fresh = await signIn(userName);
  assert.equal(await modelAccess(fresh), 'ok');

  // Entra removes a member by listing it in value.
  const remove = await scim.patch(
    `/Groups/${gid}`,
    patchOps({ op: 'Remove', path: 'members', value: [{ value: id }] }),
  );
  assert.deepEqual(remove.body.members, []);
  assert.equal(await modelAccess(fresh), 'forbidden_connection');
  await scim.patch(`/Groups/${gid}`, patchOps({ op: 'Add', path: 'members', value: [{ value: id }] }));
  assert.equal(await modelAccess(fresh), 'ok', 'added back');

  assert.equal((await scim.delete(`/Users/${id}`)).status, 204);
  assert.equal(await modelAccess(fresh), 'auth_revoked', 'a deleted user stays out');
  assert.deepEqual((await scim.get(`/Groups/${gid}`)).body.members, [], 'and out of its groups');
  const disabled = await gateway.store.access.disabledIdentities();
  assert.match(
    disabled.find((d) => d.subject === userName)?.reason ?? '',
    /DELETE \/scim\/v2\/Users\/.*entra-7f3a/,
  );
});
