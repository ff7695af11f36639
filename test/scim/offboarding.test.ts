// Offboarding end to end: a person provisioned over SCIM has an open streamed model response (the
// openai SDK through the stand-in model), an open PostgreSQL session and a statement held for
// approval (real PostgreSQL). The identity provider deactivates them over SCIM (Entra's shape): all
// three end within 1 s, the held statement never runs, the ledger says why (the SCIM request), the
// SCIM change is in `vigil replay` of the SCIM session, and the ledger verifies.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import type { StoredEvent } from '../../src/core/events.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import {
  createScratchDatabase,
  startTestPostgres,
  type TestPostgres,
  withPassword,
} from '../support/postgres-server.js';
import { GROUP_SCHEMA, issueScimToken, patchOps, ScimClient, USER_SCHEMA } from './scim-client.js';

const PERSON = 'pat@example.com';
let model: DemoModel;
let server: TestPostgres;
let directUrl: string;
let gateway: TestGateway;
let pgAddress: { host: string; port: number };

before(async () => {
  // 300 chunks, 50 ms apart: still streaming when access is taken away.
  model = await startDemoModel({
    host: '127.0.0.1',
    port: 0,
    chunkDelayMs: 50,
    respond: () => ({ text: 'the gateway keeps watch. '.repeat(100) }),
  });
  server = await startTestPostgres();
  directUrl = await createScratchDatabase(server, 'vigil_scim_offboarding');
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  gateway = await startTestGateway({
    identity: { scim: { enabled: true } },
    policy: {
      rules: [
        {
          name: 'review-updates',
          match: { connections: ['pg'], statement_kinds: ['UPDATE'] },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '60s' },
        },
      ],
    },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] },
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: directUrl,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        allow: ['group:ai-eng'],
      },
    ],
  });
  const address = gateway.listeners.find((l) => l.connection === 'pg')!.address;
  const i = address.lastIndexOf(':');
  pgAddress = { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
  const direct = new pg.Client({ connectionString: withPassword(directUrl, server.password) });
  await direct.connect();
  await direct.query(
    'create table accounts (id int primary key, balance int); insert into accounts values (1, 100);',
  );
  await direct.end();
});

after(async () => {
  await gateway?.close();
  await server?.close();
  await model?.close();
});

function pgClient(token: string): pg.Client {
  const client = new pg.Client({ ...pgAddress, user: PERSON, database: 'vigil', password: token });
  client.on('error', () => {}); // the cut arrives as an error on an idle client
  return client;
}

async function balance(): Promise<number> {
  const direct = new pg.Client({ connectionString: withPassword(directUrl, server.password) });
  await direct.connect();
  try {
    return (await direct.query('select balance from accounts where id = 1')).rows[0].balance;
  } finally {
    await direct.end();
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('deactivation over SCIM ends a stream, a database session and a held statement within 1 s', async (t) => {
  const scim = new ScimClient(gateway, await issueScimToken(gateway, 'entra'), {
    'client-request-id': 'entra-offboard-1',
  });
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: PERSON, active: true });
  assert.equal(user.status, 201);
  const group = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'ai-eng',
    members: [{ value: user.body.id }],
  });
  assert.equal(group.status, 201);
  const { token } = await gateway.vigilTokens.issue({
    subject: PERSON,
    groups: [],
    roles: ['user'],
    ttlMs: 3_600_000,
  });

  // 1. A streamed model response, flowing.
  const openai = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: token, maxRetries: 0 });
  const stream = await openai.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'Tell me a long story.' }],
  });
  const chunks = stream[Symbol.asyncIterator]();
  await chunks.next();
  const streamEnded = (async () => {
    try {
      while (!(await chunks.next()).done);
    } catch {
      // a cut stream may end with an error
    }
    return performance.now();
  })();

  // 2. An open database session, idle.
  const idle = pgClient(token);
  await idle.connect();
  await idle.query('select 1');
  const idleEnded = new Promise<number>((resolve) => idle.once('end', () => resolve(performance.now())));

  // 3. A statement held for approval.
  const writer = pgClient(token);
  await writer.connect();
  const held = writer.query('update accounts set balance = 0 where id = 1').then(
    () => ({ ran: true, at: performance.now(), message: '' }),
    (err: Error) => ({ ran: false, at: performance.now(), message: err.message }),
  );
  const approval = await until('the held statement', async () =>
    (await gateway.store.approvals.listApprovals({ status: 'pending' })).find(
      (r) => r.requester.subject === PERSON,
    ),
  );

  // The provider deactivates the person.
  const sent = performance.now();
  const off = await scim.patch(
    `/Users/${user.body.id}`,
    patchOps({ op: 'Replace', path: 'active', value: 'False' }),
  );
  assert.equal(off.status, 200);
  const answered = performance.now();
  const [streamAt, idleAt, heldOutcome] = await Promise.all([streamEnded, idleEnded, held]);
  for (const [what, at] of [
    ['stream', streamAt],
    ['database session', idleAt],
    ['held statement', heldOutcome.at],
  ] as const) {
    assert.ok(
      at - sent < 1000,
      `${what} ended ${(at - sent).toFixed(0)} ms after the SCIM request (answered after ${(answered - sent).toFixed(0)} ms)`,
    );
  }
  t.diagnostic(
    `after the SCIM request: answered ${(answered - sent).toFixed(0)} ms, stream ${(streamAt - sent).toFixed(0)} ms, ` +
      `pg session ${(idleAt - sent).toFixed(0)} ms, held statement ${(heldOutcome.at - sent).toFixed(0)} ms`,
  );
  assert.equal(heldOutcome.ran, false);
  assert.equal(await balance(), 100, 'the held statement never ran');
  assert.equal((await gateway.store.approvals.getApproval(approval.id))?.status, 'withdrawn');
  await writer.end().catch(() => {});

  // A reviewer arriving late finds nothing to approve.
  const late = await fetch(`${gateway.url}/api/approvals/${approval.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'too late' }),
  });
  assert.notEqual(late.status, 200);
  assert.equal(await balance(), 100);

  // The ledger says why, in each of the person's sessions.
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ identity: PERSON, limit: 100 });
  const bySession = await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)));
  const revoked = bySession.map((events) => events.find((e) => e.type === 'access.revoked'));
  assert.equal(revoked.filter(Boolean).length, 3, 'stream, idle session and held statement each cut');
  for (const e of revoked as StoredEvent[]) {
    assert.equal(e.payload?.reason, 'identity-disabled');
    assert.match(
      String(e.payload?.detail),
      new RegExp(`PATCH /scim/v2/Users/${user.body.id}.*entra-offboard-1`),
    );
  }
  const withScimFacts = (revoked as StoredEvent[]).find((e) => e.payload?.scim);
  assert.deepEqual(withScimFacts?.payload?.scim, {
    method: 'PATCH',
    path: `/scim/v2/Users/${user.body.id}`,
    id: user.body.id,
    request_id: 'entra-offboard-1',
  });

  // The token used is revoked, and stays revoked after re-activation.
  assert.ok((await gateway.store.access.revokedTokenIds()).size > 0);
  await scim.patch(`/Users/${user.body.id}`, patchOps({ op: 'Replace', path: 'active', value: 'True' }));
  const again = pgClient(token);
  await assert.rejects(again.connect(), /revoked|deactivated/);

  // The SCIM change is an admin.action of the SCIM session, and `vigil replay` shows it.
  const [scimSession] = await gateway.store.ledger.listSessions({ identity: 'scim:entra', limit: 10 });
  assert.ok(scimSession);
  const scimEvents = await gateway.store.ledger.readSession(scimSession.id);
  const patchAction = scimEvents.find((e) => e.type === 'admin.action' && e.payload?.method === 'PATCH');
  assert.equal(patchAction?.payload?.scim_id, user.body.id);
  assert.equal(patchAction?.payload?.request_id, 'entra-offboard-1');
  assert.equal(patchAction?.identity.subject, 'scim:entra');
  const replay = await runCli(['--data', gateway.dataDir, 'replay', scimSession.id]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, new RegExp(`PATCH.*/scim/v2/Users/${user.body.id}`));

  await assertLedgerVerifies(gateway);
});
