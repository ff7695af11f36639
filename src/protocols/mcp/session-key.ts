// The key that authenticates a connection's session ids (session-token.ts). Every replica must
// accept the ids another made, so it lives in the store's module state (namespace
// `mcp-session-keys`, one record per connection) and the first gateway to start writes it; the
// others read that one. Anyone who can read the store can forge ids, but must still authenticate
// as the subject they name on every request.
import { randomBytes } from 'node:crypto';
import type { ModuleStateStore } from '../../core/ports.js';

const NAMESPACE = 'mcp-session-keys';

export async function loadSessionKey(state: ModuleStateStore, connection: string): Promise<Buffer> {
  const kept = await state.putIfAbsent(NAMESPACE, connection, { key: randomBytes(32).toString('base64url') });
  if (typeof kept.key !== 'string') throw new Error(`the session key of connection ${connection} is damaged`);
  const key = Buffer.from(kept.key, 'base64url');
  if (key.length !== 32) throw new Error(`the session key of connection ${connection} is damaged`);
  return key;
}
