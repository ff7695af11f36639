// Two gateway replicas on one PostgreSQL store, as the scale-out tests run them: A starts on the
// shared test server, B joins with A's store section and data directory (the same keys). Also the
// admin API call those tests make on either replica, and the settings of the access-request tests.

import { startTestGateway, type TestGateway } from './gateway.js';
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
