// Rows of the service_tokens table as the AccessStore port returns them: the same columns in every
// SQL backend, so one mapping serves them all.
import type { ServiceTokenRecord } from '../core/ports.js';

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
