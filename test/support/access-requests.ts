// The admin API as a signed-in caller uses it, and an access grant made as people make one: asked for
// through POST /api/access-requests, approved by alice (an approver in the tests' configurations).
import assert from 'node:assert/strict';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { type TestGateway, TOKENS } from './gateway.js';

export async function apiCall(url: string, token: string, method: string, path: string, body?: object) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An hour's access to `connection` asked for with `token` and approved by alice; the grant's id. */
export async function approvedGrant(gateway: TestGateway, token: string, connection = 'pg'): Promise<string> {
  const asked = await apiCall(gateway.url, token, 'POST', '/api/access-requests', {
    connection,
    duration: '1h',
    reason: 'release 42',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const id = (asked.body.approval as ApprovalRecord).id;
  const approved = await apiCall(gateway.url, TOKENS.alice, 'POST', `/api/approvals/${id}/approve`, {
    reason: 'ok',
  });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  const grants = await gateway.store.approvals.listGrants({ activeAt: new Date().toISOString() });
  return grants.find((g) => g.approvalId === id)!.id;
}
