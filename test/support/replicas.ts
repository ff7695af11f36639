// Two gateway replicas on one PostgreSQL store, as the scale-out tests run them: A starts on the
// shared test server, B joins with A's store section and data directory (the same keys). Also the
// admin API call those tests make on either replica, the settings of the access-request tests, and
// the steps those tests repeat (bob asks, a reviewer decides, a SCIM-provisioned reviewer's token).

import assert from 'node:assert/strict';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { startTestGateway, type TestGateway, TOKENS } from './gateway.js';
import { closeSharedTestPostgres } from './postgres-store.js';

export interface ReplicaPair {
  readonly a: TestGateway;
  readonly b: TestGateway;
}

export async function startReplicaPair(settings: Record<string, unknown>): Promise<ReplicaPair> {
  const a = await startTestGateway(settings, undefined, { store: 'postgres' });
  const b = await startTestGateway({ ...settings, store: a.postgresStore!.section }, a.dataDir);
  return { a, b };
}

/** Closes whichever replicas started (B first: it joined A's store), then the shared server's pool. */
export async function closeReplicaPair(
  a: TestGateway | undefined,
  b: TestGateway | undefined,
): Promise<void> {
  await b?.close();
  await a?.close();
  await closeSharedTestPostgres();
}

/** A model connection contractors reach only with a grant, and who may approve access to it. */
export function accessRequestSettings(options: {
  readonly approvers: readonly string[];
  readonly required: number;
  readonly scim?: boolean;
}): Record<string, unknown> {
  return {
    ...(options.scim ? { identity: { scim: { enabled: true } } } : {}),
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: 'http://127.0.0.1:9',
        allow: ['group:contractors'],
        requires_grant: true,
      },
    ],
    approvals: {
      access_requests: { approvers: options.approvers, required: options.required, max_duration: '2h' },
    },
  };
}

/** A POST to a replica's admin API as `token`; the answer's status, Vigil error code and JSON body. */
export async function postApi(gateway: TestGateway, token: string, path: string, body: object) {
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are free-form JSON read by the assertions
  return { status: res.status, code: res.headers.get('x-vigil-error'), body: (await res.json()) as any };
}

/** Replicas whose access requests on `oa` take two approvals among `approvers`; SCIM on. */
export function startScimReviewPair(
  approvers: readonly string[] = ['group:security', 'group:ai-eng'],
): Promise<ReplicaPair> {
  return startReplicaPair(accessRequestSettings({ approvers, required: 2, scim: true }));
}

/**
 * A Vigil token issued on A for `subject`, with no groups of its own (SCIM gives it them), once
 * replica B can have read the provisioning: at the store's notice, or at its next revocation poll.
 */
export async function provisionedToken(a: TestGateway, subject: string): Promise<string> {
  const { token } = await a.vigilTokens.issue({ subject, groups: [], roles: ['user'], ttlMs: 3_600_000 });
  await new Promise((r) => setTimeout(r, 600));
  return token;
}

/** bob's access request to `oa` for an hour, made through `gateway`: the record, whose session it opened. */
export async function askAsBob(gateway: TestGateway, reason: string): Promise<ApprovalRecord> {
  const asked = await postApi(gateway, TOKENS.bob, '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason,
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  return asked.body.approval as ApprovalRecord;
}

/** audrey (security) decides request `id` through `gateway`, giving `reason`. */
export async function decideAsAudrey(
  gateway: TestGateway,
  id: string,
  decision: 'approve' | 'deny',
  reason: string,
): Promise<void> {
  const decided = await postApi(gateway, TOKENS.audrey, `/api/approvals/${id}/${decision}`, { reason });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));
}
