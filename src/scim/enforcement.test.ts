// The race in which the revocation watcher (its poll, or the store's notice of the change) reads a
// SCIM membership change before the SCIM request's own enforcement does: the watcher ends sessions
// but withdraws no request, and the enforcement then found nothing new and withdrew nothing, so a
// request counting a removed reviewer's approval stood on every replica. Real SQLite store.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ScimGroupRecord, ScimUserRecord } from '../core/ports.js';
import { AccessState } from '../identity/access-state.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { pendingApproval } from '../policy/approval-records.js';
import { configSchema } from '../protocols/index.js';
import { openStore } from '../store/index.js';
import { ScimEnforcement } from './enforcement.js';

const AT = '2026-12-06T00:00:00.000Z';
const user = (id: string, userName: string): ScimUserRecord => ({
  id,
  userName,
  externalId: null,
  active: true,
  attributes: {},
  tokensRevokedAt: null,
  createdAt: AT,
  updatedAt: AT,
  version: 1,
});
const group = (members: string[], version: number): ScimGroupRecord => ({
  id: 'g1',
  displayName: 'security',
  externalId: null,
  members,
  createdAt: AT,
  updatedAt: AT,
  version,
});

test('a request counting a removed reviewer’s approval is withdrawn when the watcher read the change first', async () => {
  const store = await openStore(configSchema.parse({}), mkdtempSync(join(tmpdir(), 'vigil-scim-enf-')));
  try {
    await store.access.putScimUser(user('u-mal', 'mal'));
    await store.access.putScimUser(user('u-val', 'val'));
    await store.access.putScimGroup(group(['u-mal', 'u-val'], 1));
    const record = pendingApproval(Date.now(), 3_600_000, {
      kind: 'access',
      requester: { subject: 'bob', kind: 'user', groups: [] },
      connection: 'oa',
      sessionId: 's_request',
      rule: null,
      reason: 'INC-7',
      subject: { connection: 'oa' },
      approvers: ['group:security'],
      required: 2,
    });
    await store.approvals.createApproval(record);
    const vote = {
      reviewer: { subject: 'mal', kind: 'user', groups: ['security'] },
      decision: 'approve',
    } as const;
    assert.equal(
      (await store.approvals.addVote(record.id, { ...vote, reason: 'ok', at: AT }, 2)).outcome,
      'recorded',
    );

    const access = new AccessState(store.access);
    await access.refresh();
    const withdrawn: string[] = [];
    const enforcement = new ScimEnforcement({
      access,
      accessStore: store.access,
      sessions: { liveSessions: () => [] } as unknown as SessionManager,
      approvalStore: store.approvals,
      withdrawApproval: async (id) => {
        withdrawn.push(id);
      },
      revokeGrant: async () => undefined,
      stillAllowed: () => true,
    });
    // The provider takes mal out of security; the watcher reads it before the request's enforcement.
    await store.access.putScimGroup(group(['u-val'], 2));
    assert.equal((await access.refresh()).changed, true);
    await enforcement.recheck({
      method: 'PATCH',
      path: '/Groups/g1',
      scimId: 'g1',
      requestId: null,
      by: { subject: 'scim:okta', kind: 'service', groups: [] },
    });
    assert.deepEqual(withdrawn, [record.id]);
  } finally {
    await store.close();
  }
});
