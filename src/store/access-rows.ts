// Rows of the service_tokens and scim_tokens tables as the AccessStore port returns them: the same
// columns in every SQL backend, so one mapping serves them all.
import type { ScimTokenRecord, ServiceTokenRecord } from '../core/ports.js';

export interface ServiceTokenRow {
  id: string;
  name: string;
  token_hash: string;
  connections: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export function serviceTokenOf(row: ServiceTokenRow): ServiceTokenRecord {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    connections: JSON.parse(row.connections) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export interface ScimTokenRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export function scimTokenOf(row: ScimTokenRow): ScimTokenRecord {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
