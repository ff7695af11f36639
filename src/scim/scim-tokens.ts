// SCIM bearer tokens: opaque, issued by an admin (`vigil scim token`, through the admin API), shown
// once, stored only as a SHA-256 hash. One per provisioning connector (okta, entra), named so that
// what each changed is recorded as `scim:<name>`.
import { randomBytes } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AccessStore, ScimTokenRecord } from '../core/ports.js';
import { hashToken } from '../identity/config-tokens.js';

export const SCIM_TOKEN_PREFIX = 'vscim_';

export async function issueScimToken(
  store: AccessStore,
  name: string,
  now = Date.now(),
): Promise<{ token: string; record: ScimTokenRecord }> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
    throw new VigilError('usage', 'a SCIM token name is 1-64 letters, digits, dots, dashes or underscores');
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ScimTokenRecord = {
    id: newId('scim'),
    name,
    tokenHash: hashToken(token),
    createdAt: new Date(now).toISOString(),
  };
  await store.createScimToken(record);
  return { token, record };
}
