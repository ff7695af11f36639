// Attacker: an approver the operator has just taken out of vigil.yaml approves what still waits.
// Every request stores the approvers of the moment it was made; a policy reload that removed a
// reviewer (or turned the review rule into a deny) left that stored list in force, so the removed
// reviewer could still release a held model request, or grant database access, until the request
// expired (24 h for access requests by default). An approval now counts only from someone who is an
// approver both when the request was made and under the configuration in force when they decide.
// The same holds for how many approvals are needed and for how long access may be granted: a
// reload that raised one or lowered the other left what waited with the values of its making.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { loadConfigFile } from '../../src/server/load-config.js';
import { apiCall } from '../support/access-requests.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';
import { createScratchDatabase, startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

let model: DemoModel;
let server: TestPostgres;
let upstream: string;
let gateway: Gateway;
let file: string;
let pgPort = 0;

interface Settings {
  readonly reviewApprovers?: readonly string[];
  readonly reviewAction?: 'review' | 'deny';
  readonly accessApprovers?: readonly string[];
  readonly reviewRequired?: number;
  readonly accessRequired?: number;
  readonly accessMaxDuration?: string;
  /** A deny rule added beside the review rule. */
  readonly denyRestart?: boolean;
}

function writeConfig(s: Settings = {}): void {
  const action = s.reviewAction ?? 'review';
  const config = {
    log_level: 'silent',
    data: './data',
    identities: TEST_IDENTITIES,
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_APPROVAL_RELOAD_KEY',
        allow: ['group:ai-eng'],
      },
      {
        name: 'pg',
        type: 'postgres',
        // The port the gateway first took: listen addresses need a restart, so it never changes.
        listen: `127.0.0.1:${pgPort}`,
        upstream,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        requires_grant: true,
        allow: ['group:contractors'],
      },
    ],
    policy: {
      rules: [
        // First match decides: the operator puts the new deny rule above the review rule.
        ...(s.denyRestart
          ? [
              {
                name: 'no-restarts',
                match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)restart' },
                action: 'deny',
              },
            ]
          : []),
        {
          name: 'review-production',
          match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)production' },
          action,
          ...(action === 'review'
            ? {
                review: {
                  approvers: s.reviewApprovers ?? ['user:audrey', 'user:bob'],
                  required: s.reviewRequired ?? 1,
                  timeout: '2m',
                },
              }
            : {}),
        },
      ],
    },
    approvals: {
      poll: '100ms',
      access_requests: {
        approvers: s.accessApprovers ?? ['user:alice', 'user:audrey'],
        required: s.accessRequired ?? 1,
        max_duration: s.accessMaxDuration ?? '2h',
      },
    },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
}

async function reload(s: Settings = {}): Promise<void> {
  writeConfig(s);
  await gateway.approvals.reloader!.reload();
}

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: 'sk-approval-reload' });
  process.env.VIGIL_TEST_APPROVAL_RELOAD_KEY = 'sk-approval-reload';
  server = await startTestPostgres();
  upstream = await createScratchDatabase(server, 'vigil_approval_reload');
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  file = join(mkdtempSync(join(tmpdir(), 'vigil-approval-reload-')), 'vigil.yaml');
  writeConfig();
  gateway = await startGateway(loadConfigFile(file), { listen: '127.0.0.1:0' });
  const address = gateway.listeners.find((l) => l.connection === 'pg')!.address;
  pgPort = Number(address.slice(address.lastIndexOf(':') + 1));
});
after(async () => {
  await gateway?.close();
  await model?.close();
  await server?.close();
});
beforeEach(() => reload());

const decide = (token: string, id: string, decision: 'approve' | 'deny') =>
  apiCall(gateway.url, token, 'POST', `/api/approvals/${id}/${decision}`, { reason: 'looked at it' });

async function pending(requester: string, kind: ApprovalRecord['kind']): Promise<ApprovalRecord> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = await gateway.store.approvals.listApprovals({ status: 'pending', kind });
    const found = list.find((r) => r.requester.subject === requester);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no pending ${kind} request of ${requester}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function askProduction(): Promise<string> {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  return client.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: 'restart the production database' }] })
    .then(
      () => 'answered',
      (e: unknown) => (e instanceof OpenAI.APIError ? String(e.code) : String(e)),
    );
}

async function pgAs(token: string): Promise<string> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    user: 'bob',
    database: 'vigil',
    password: token,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query('select 1 as one');
    return `connected ${rows[0].one}`;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

test('a reviewer taken out of a review rule cannot release the model request it still lists them for', async () => {
  const answer = askProduction();
  const held = await pending('alice', 'action');
  await reload({ reviewApprovers: ['user:audrey'] });

  const byBob = await decide(TOKENS.bob, held.id, 'approve');
  assert.equal(byBob.status, 403, JSON.stringify(byBob.body));
  assert.equal((byBob.body.error as { code?: string } | undefined)?.code, 'approval_not_reviewer');
  assert.equal((await gateway.store.approvals.getApproval(held.id))?.status, 'pending');

  // A reviewer still named by the rule decides as before.
  const byAudrey = await decide(TOKENS.audrey, held.id, 'approve');
  assert.equal(byAudrey.status, 200, JSON.stringify(byAudrey.body));
  assert.equal(await answer, 'answered');
});

test('a review rule turned into a deny while a request waits: no approval can release it', async () => {
  const answer = askProduction();
  const held = await pending('alice', 'action');
  await reload({ reviewAction: 'deny' });

  const approved = await decide(TOKENS.audrey, held.id, 'approve');
  assert.equal(approved.status, 403, JSON.stringify(approved.body));
  assert.equal((approved.body.error as { code?: string } | undefined)?.code, 'approval_not_reviewer');
  // A denial still closes it (a denial can only keep the action from running).
  const denied = await decide(TOKENS.audrey, held.id, 'deny');
  assert.equal(denied.status, 200, JSON.stringify(denied.body));
  assert.equal(await answer, 'approval_denied');
  assert.equal(await askProduction(), 'policy_denied');
});

test('an access approver taken out of vigil.yaml cannot grant the database access still waiting', async () => {
  assert.match(await pgAs(TOKENS.bob), /needs an access grant/);
  const asked = await apiCall(gateway.url, TOKENS.bob, 'POST', '/api/access-requests', {
    connection: 'pg',
    duration: '1h',
    reason: 'migration 7',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const request = await pending('bob', 'access');
  await reload({ accessApprovers: ['user:alice'] });

  const byAudrey = await decide(TOKENS.audrey, request.id, 'approve');
  assert.equal(byAudrey.status, 403, JSON.stringify(byAudrey.body));
  assert.equal((byAudrey.body.error as { code?: string } | undefined)?.code, 'approval_not_reviewer');
  assert.match(await pgAs(TOKENS.bob), /needs an access grant/);

  const byAlice = await decide(TOKENS.alice, request.id, 'approve');
  assert.equal(byAlice.status, 200, JSON.stringify(byAlice.body));
  assert.equal(await pgAs(TOKENS.bob), 'connected 1');
});

test('a deny rule added while a request waits: its approval does not release it', async () => {
  // The operator adds a deny rule that matches what is held, above the review rule that holds it
  // (same reviewers): until 5 December the approval released it, answered by the model, while the
  // same prompt sent anew was denied. Policy is judged again when an approval releases an action.
  const before = model.requests.length;
  const answer = askProduction();
  const held = await pending('alice', 'action');
  await reload({ denyRestart: true });

  const approved = await decide(TOKENS.audrey, held.id, 'approve');
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(await answer, 'policy_denied');
  assert.equal(model.requests.length, before, 'the model never got the request');
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection: 'oa', limit: 100 });
  const events = (await Promise.all(sessions.map((x) => gateway.store.ledger.readSession(x.id)))).flat();
  const refusal = events.find((e) => e.type === 'policy.decision' && e.payload?.approval_id === held.id);
  assert.equal(refusal?.payload?.action, 'deny');
  assert.equal(refusal?.payload?.rule, 'no-restarts');
  assert.equal(await askProduction(), 'policy_denied');
});

test('a review rule that now asks for two approvals: one no longer releases what waits', async () => {
  const answer = askProduction();
  const held = await pending('alice', 'action');
  assert.equal(held.required, 1);
  await reload({ reviewRequired: 2 });

  const byAudrey = await decide(TOKENS.audrey, held.id, 'approve');
  assert.equal(byAudrey.status, 200, JSON.stringify(byAudrey.body));
  assert.equal((await gateway.store.approvals.getApproval(held.id))?.status, 'pending', 'one of two');
  const byBob = await decide(TOKENS.bob, held.id, 'approve');
  assert.equal(byBob.status, 200, JSON.stringify(byBob.body));
  assert.equal((await gateway.store.approvals.getApproval(held.id))?.status, 'approved');
  assert.equal(await answer, 'answered');
});

test('access requests: a raised approval count and a lowered max_duration hold for what waits', async () => {
  const asked = await apiCall(gateway.url, TOKENS.bob, 'POST', '/api/access-requests', {
    connection: 'pg',
    duration: '2h',
    reason: 'migration 8',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const request = await pending('bob', 'access');
  await reload({ accessRequired: 2, accessMaxDuration: '30m' });

  assert.equal((await decide(TOKENS.alice, request.id, 'approve')).status, 200);
  assert.equal((await gateway.store.approvals.getApproval(request.id))?.status, 'pending', 'one of two');
  const grantOf = async () =>
    (await gateway.store.approvals.listGrants({ subject: 'bob' })).find((g) => g.approvalId === request.id);
  assert.equal(await grantOf(), undefined, 'no grant after one approval');
  assert.equal((await decide(TOKENS.audrey, request.id, 'approve')).status, 200);

  const grant = await grantOf();
  assert.ok(grant, 'granted after the second approval');
  const lasts = Date.parse(grant.expiresAt) - Date.parse(grant.createdAt);
  assert.ok(lasts <= 30 * 60_000, `the grant lasts ${lasts} ms, past the 30 minutes now in force`);
});
