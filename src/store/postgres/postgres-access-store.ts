// Access state on PostgreSQL (service tokens, revocations, disabled identities; SCIM in its own
// file). Every change raises access_meta's version in the same transaction, so a gateway polling
// the version sees the change with one cheap read.
import type pg from 'pg';
import type {
  AccessStore,
  DisabledIdentity,
  ScimGroupRecord,
  ScimTokenRecord,
  ScimTokenRevocation,
  ScimUserRecord,
  ServiceTokenRecord,
} from '../../core/ports.js';
import { type ServiceTokenRow, serviceTokenOf } from '../access-rows.js';
import { bumpAccessVersion } from './access-version.js';
import { safeInteger } from './pg-integers.js';
import { inTransaction } from './pg-pool.js';
import { PostgresScimTables } from './postgres-scim-tables.js';

export class PostgresAccessStore implements AccessStore {
  readonly #pool: pg.Pool;
  readonly #scim: PostgresScimTables;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#scim = new PostgresScimTables(pool);
  }

  async accessVersion(): Promise<number> {
    const { rows } = await this.#pool.query("SELECT value FROM access_meta WHERE key = 'version'");
    return safeInteger((rows[0] as { value: unknown }).value, 'access_meta.version');
  }

  async createServiceToken(r: ServiceTokenRecord): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO service_tokens (id, name, token_hash, connections, created_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [r.id, r.name, r.tokenHash, JSON.stringify(r.connections), r.createdAt, r.expiresAt, r.revokedAt],
      );
      await bumpAccessVersion(client);
    });
  }

  async findServiceToken(tokenHash: string): Promise<ServiceTokenRecord | null> {
    const { rows } = await this.#pool.query('SELECT * FROM service_tokens WHERE token_hash = $1', [
      tokenHash,
    ]);
    const row = rows[0] as ServiceTokenRow | undefined;
    return row ? serviceTokenOf(row) : null;
  }

  async listServiceTokens(): Promise<ServiceTokenRecord[]> {
    const { rows } = await this.#pool.query('SELECT * FROM service_tokens ORDER BY created_at, id');
    return (rows as ServiceTokenRow[]).map(serviceTokenOf);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      const service = await client.query(
        'UPDATE service_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
        [at, id],
      );
      const issued = await client.query(
        'INSERT INTO revoked_tokens (id, revoked_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
        [id, at],
      );
      await bumpAccessVersion(client);
      return (service.rowCount ?? 0) > 0 || (issued.rowCount ?? 0) > 0;
    });
  }

  async revokedTokenIds(): Promise<Set<string>> {
    const { rows } = await this.#pool.query('SELECT id FROM revoked_tokens');
    return new Set((rows as { id: string }[]).map((r) => r.id));
  }

  async disableIdentity(subject: string, at: string, reason: string): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO disabled_identities (subject, disabled_at, reason) VALUES ($1, $2, $3)
         ON CONFLICT (subject) DO UPDATE SET disabled_at = EXCLUDED.disabled_at, reason = EXCLUDED.reason`,
        [subject, at, reason],
      );
      await bumpAccessVersion(client);
    });
  }

  async enableIdentity(subject: string): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      const deleted = await client.query('DELETE FROM disabled_identities WHERE subject = $1', [subject]);
      await bumpAccessVersion(client);
      return (deleted.rowCount ?? 0) > 0;
    });
  }

  async rememberAssertion(key: string, until: string, now: string): Promise<boolean> {
    // A remembered key past its time is taken over by the conditional update; a live one is kept.
    const { rowCount } = await this.#pool.query(
      `INSERT INTO used_assertions (key, until) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE used_assertions.until <= $3`,
      [key, until, now],
    );
    await this.#pool.query('DELETE FROM used_assertions WHERE until <= $1', [now]);
    return rowCount === 1;
  }

  async assertionUsed(key: string, now: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      'SELECT 1 FROM used_assertions WHERE key = $1 AND until > $2',
      [key, now],
    );
    return rowCount === 1;
  }

  async disabledIdentities(): Promise<DisabledIdentity[]> {
    const { rows } = await this.#pool.query(
      'SELECT * FROM disabled_identities ORDER BY disabled_at, subject',
    );
    return (rows as { subject: string; disabled_at: string; reason: string }[]).map((r) => ({
      subject: r.subject,
      disabledAt: r.disabled_at,
      reason: r.reason,
    }));
  }

  createScimToken(record: ScimTokenRecord): Promise<void> {
    return this.#scim.createToken(record);
  }

  findScimToken(tokenHash: string): Promise<ScimTokenRecord | null> {
    return this.#scim.findToken(tokenHash);
  }

  listScimTokens(): Promise<ScimTokenRecord[]> {
    return this.#scim.listTokens();
  }

  revokeScimToken(id: string, at: string): Promise<ScimTokenRevocation> {
    return this.#scim.revokeToken(id, at);
  }

  putScimUser(record: ScimUserRecord): Promise<void> {
    return this.#scim.putUser(record);
  }

  deleteScimUser(id: string): Promise<boolean> {
    return this.#scim.deleteUser(id);
  }

  listScimUsers(): Promise<ScimUserRecord[]> {
    return this.#scim.listUsers();
  }

  putScimGroup(record: ScimGroupRecord): Promise<void> {
    return this.#scim.putGroup(record);
  }

  deleteScimGroup(id: string): Promise<boolean> {
    return this.#scim.deleteGroup(id);
  }

  listScimGroups(): Promise<ScimGroupRecord[]> {
    return this.#scim.listGroups();
  }
}
