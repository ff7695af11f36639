// A SCIM membership change while the person has a live PostgreSQL session (real PostgreSQL, the pg
// client). Policy judges each statement with the groups the session was opened with, so a session
// kept across a change would go on being judged as someone the identity provider says the person no
// longer is: added to a group a connection denies, or taken out of a group a rule lets skip review.
// Either change ends the session at once on the gateway that received it, and the next statement is
// judged with the groups the person holds now.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import {
  assertLedgerVerifies,
  openSharedStore,
  startTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import {
  createScratchDatabase,
  startTestPostgres,
  type TestPostgres,
  withPassword,
} from '../support/postgres-server.js';
import { GROUP_SCHEMA, issueScimToken, patchOps, ScimClient, USER_SCHEMA } from './scim-client.js';

let server: TestPostgres;
let directUrl: string;
let gateway: TestGateway;
let pgAddress: { host: string; port: number };
let scim: ScimClient;

before(async () => {
  server = await startTestPostgres();
  directUrl = await createScratchDatabase(server, 'vigil_scim_membership');
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  gateway = await startTestGateway({
    identity: { scim: { enabled: true } },
    policy: {
      rules: [
        {
          name: 'dba-writes-freely',
          match: { connections: ['pg'], principals: ['group:dba'] },
          action: 'allow',
        },
        {
          name: 'review-updates',
          match: { connections: ['pg'], statement_kinds: ['UPDATE'] },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '60s' },
        },
      ],
    },
    connections: [
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: directUrl,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        allow: ['group:eng'],
        deny: ['group:contractors'],
      },
    ],
  });
  const address = gateway.listeners.find((l) => l.connection === 'pg')!.address;
  const i = address.lastIndexOf(':');
  pgAddress = { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
  const direct = new pg.Client({ connectionString: withPassword(directUrl, server.password) });
  await direct.connect();
  await direct.query('create table accounts (id int primary key, balance int)');
  await direct.query('insert into accounts values (1, 100), (2, 100)');
  await direct.end();
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'okta'));
});

after(async () => {
  await gateway?.close();
  await server?.close();
});

async function balance(id: number): Promise<number> {
  const direct = new pg.Client({ connectionString: withPassword(directUrl, server.password) });
  await direct.connect();
  try {
    return (await direct.query('select balance from accounts where id = $1', [id])).rows[0].balance;
  } finally {
    await direct.end();
  }
}

/** A provisioned person in these groups (created if missing), with a live pg session. */
async function personWithSession(userName: string, groups: readonly string[]) {
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, active: true });
  assert.equal(user.status, 201);
  const ids: Record<string, string> = {};
  const existing = (await scim.get('/Groups')).body.Resources as { id: string; displayName: string }[];
  for (const name of ['eng', 'dba', 'contractors']) {
    const found = existing.find((g) => g.displayName === name);
    const members = groups.includes(name) ? [{ value: user.body.id }] : [];
    if (found) {
      ids[name] = found.id;
      if (members.length > 0)
        assert.equal(
          (await scim.patch(`/Groups/${found.id}`, patchOps({ op: 'add', path: 'members', value: members })))
            .status,
          200,
        );
    } else {
      const made = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: name, members });
      assert.equal(made.status, 201);
      ids[name] = made.body.id;
    }
  }
  const { token } = await gateway.vigilTokens.issue({
    subject: userName,
    groups: [],
    roles: ['user'],
    ttlMs: 3_600_000,
  });
  const client = new pg.Client({ ...pgAddress, user: userName, database: 'vigil', password: token });
  client.on('error', () => {}); // a cut arrives as an error on an idle client
  await client.connect();
  await client.query('select 1');
  const ended = new Promise<number>((resolve) => client.once('end', () => resolve(performance.now())));
  return { userId: user.body.id as string, groupIds: ids, client, ended, token };
}

async function endsWithin(ended: Promise<number>, since: number, ms: number): Promise<boolean> {
  const at = await Promise.race([ended, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
  return at !== null && at - since < ms;
}

test('added to a group the connection denies: the live session ends at once, nothing more runs', async () => {
  const { userId, groupIds, client, ended } = await personWithSession('cal@example.com', ['eng']);
  const sent = performance.now();
  const add = await scim.patch(
    `/Groups/${groupIds.contractors}`,
    patchOps({ op: 'add', path: 'members', value: [{ value: userId }] }),
  );
  assert.equal(add.status, 200);
  assert.ok(await endsWithin(ended, sent, 1000), 'the session of a now-denied person was not cut');
  await assert.rejects(client.query('update accounts set balance = 0 where id = 1'));
  assert.equal(await balance(1), 100);
  await client.end().catch(() => {});

  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ identity: 'cal@example.com', limit: 10 });
  const events = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  const revoked = events.find((e) => e.type === 'access.revoked');
  assert.equal(revoked?.payload?.reason, 'group-removed');
  assert.match(String(revoked?.payload?.detail), new RegExp(`PATCH /scim/v2/Groups/${groupIds.contractors}`));
});

test('taken out of a group a rule lets skip review: the session ends, the next UPDATE is held', async () => {
  const { userId, groupIds, client, ended, token } = await personWithSession('dee@example.com', [
    'eng',
    'dba',
  ]);
  // As a dba, an UPDATE runs without review.
  await client.query('update accounts set balance = 90 where id = 2');
  assert.equal(await balance(2), 90);

  const sent = performance.now();
  const remove = await scim.patch(
    `/Groups/${groupIds.dba}`,
    patchOps({ op: 'remove', path: `members[value eq "${userId}"]` }),
  );
  assert.equal(remove.status, 200);
  assert.ok(await endsWithin(ended, sent, 1000), 'the session kept the group SCIM took away');
  await assert.rejects(client.query('update accounts set balance = 0 where id = 2'));
  assert.equal(await balance(2), 90, 'an UPDATE ran without review after the person left dba');
  await client.end().catch(() => {});

  // Still an engineer, so they may connect again; their UPDATE now waits for a reviewer.
  const again = new pg.Client({ ...pgAddress, user: 'dee@example.com', database: 'vigil', password: token });
  again.on('error', () => {});
  await again.connect();
  const held = again.query('update accounts set balance = 0 where id = 2').catch((err: Error) => err);
  for (let i = 0; i < 200; i++) {
    const pending = await gateway.store.approvals.listApprovals({ status: 'pending' });
    if (pending.some((r) => r.requester.subject === 'dee@example.com')) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const pending = await gateway.store.approvals.listApprovals({ status: 'pending' });
  assert.ok(
    pending.some((r) => r.requester.subject === 'dee@example.com'),
    'the UPDATE was not held',
  );
  await again.end().catch(() => {});
  await held;
  assert.equal(await balance(2), 90);
});

test('an unrelated change leaves the session alone', async () => {
  const { client } = await personWithSession('eve@example.com', ['eng']);
  const other = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'fay@example.com' });
  const groups = (await scim.get('/Groups')).body.Resources as { id: string; displayName: string }[];
  const dba = groups.find((g) => g.displayName === 'dba')!;
  const add = await scim.patch(
    `/Groups/${dba.id}`,
    patchOps({ op: 'add', path: 'members', value: [{ value: other.body.id }] }),
  );
  assert.equal(add.status, 200);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal((await client.query('select 1 as one')).rows[0].one, 1);
  await client.end();
});

test('a change written by another replica: the poll ends the session of someone it took out of dba', async () => {
  const { userId, client, ended } = await personWithSession('gil@example.com', ['eng', 'dba']);
  const other = await openSharedStore(gateway);
  const dba = (await other.access.listScimGroups()).find((g) => g.displayName === 'dba')!;
  await other.access.putScimGroup({
    ...dba,
    members: dba.members.filter((m) => m !== userId),
    version: dba.version + 1,
  });
  const written = performance.now();
  await other.close();
  assert.ok(await endsWithin(ended, written, 1000), 'the poll kept the session judged as a dba');
  await assert.rejects(client.query('update accounts set balance = 0 where id = 1'));
  assert.equal(await balance(1), 100);
  await client.end().catch(() => {});
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ identity: 'gil@example.com', limit: 10 });
  const events = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  assert.equal(events.find((e) => e.type === 'access.revoked')?.payload?.reason, 'group-changed');
});

test('deleting the group that admitted the person ends their session', async () => {
  const { groupIds, client, ended } = await personWithSession('hal@example.com', ['eng']);
  const sent = performance.now();
  assert.equal((await scim.delete(`/Groups/${groupIds.eng}`)).status, 204);
  // The group SCIM gave is not a claim of the token: without it the connection admits nobody here.
  assert.ok(await endsWithin(ended, sent, 1000), 'a deleted group still admitted its former members');
  await assert.rejects(client.query('select 1'));
  await client.end().catch(() => {});
  await assertLedgerVerifies(gateway);
});
