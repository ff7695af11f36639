// Service-account tokens: opaque, shown once at creation, stored only as a SHA-256 hash, limited to
// named connections and to a lifetime.
import { randomBytes } from 'node:crypto';
import { newId } from '../core/ids.js';
import type { AccessStore, ServiceTokenRecord } from '../core/ports.js';
import { hashToken } from './config-tokens.js';

export const SERVICE_TOKEN_PREFIX = 'vsa_';

export async function createServiceToken(
  store: AccessStore,
  request: { name: string; connections: readonly string[]; ttlMs: number },
  now = Date.now(),
): Promise<{ token: string; record: ServiceTokenRecord }> {
  const token = `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ServiceTokenRecord = {
    id: newId('sa'),
    name: request.name,
    tokenHash: hashToken(token),
    connections: [...request.connections],
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + request.ttlMs).toISOString(),
    revokedAt: null,
  };
  await store.createServiceToken(record);
  return { token, record };
}
