// A reviewer provisioned over SCIM through replica A, as the approval tests on two replicas make one:
// a user, a new approver group holding just them, and a Vigil token for them that replica B can use.
import assert from 'node:assert/strict';
import { GROUP_SCHEMA, issueScimToken, ScimClient, USER_SCHEMA } from '../scim/scim-client.js';
import type { TestGateway } from '../support/gateway.js';
import { provisionedToken } from '../support/replicas.js';

/** `userName` alone in a new group `group`, both pushed by SCIM endpoint `provider`; B has read both. */
export async function reviewerInNewGroup(
  a: TestGateway,
  provider: string,
  group: string,
  userName: string,
): Promise<{ groupId: string; token: string }> {
  const scim = new ScimClient(a, await issueScimToken(a, provider));
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, active: true });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const made = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: group,
    members: [{ value: user.body.id }],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const token = await provisionedToken(a, userName);
  return { groupId: made.body.id as string, token };
}
