// Access state in the embedded SQLite database (same file as the ledger, separate tables).
import type Database from 'better-sqlite3';
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
import { writeTransaction } from './busy-retry.js';
import { SqliteScimTables } from './sqlite-scim-tables.js';

export class SqliteAccessStore implements AccessStore {
  readonly #db: Database.Database;
  readonly #scim: SqliteScimTables;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#scim = new SqliteScimTables(db, () => this.#bump());
  }

  #bump(): void {
    this.#db.prepare("UPDATE access_meta SET value = value + 1 WHERE key = 'version'").run();
  }

  async accessVersion(): Promise<number> {
    return (
      this.#db.prepare("SELECT value FROM access_meta WHERE key = 'version'").get() as { value: number }
    ).value;
  }

  async createServiceToken(r: ServiceTokenRecord): Promise<void> {
    writeTransaction(this.#db, () => {
      this.#db
        .prepare(
          'INSERT INTO service_tokens (id, name, token_hash, connections, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(r.id, r.name, r.tokenHash, JSON.stringify(r.connections), r.createdAt, r.expiresAt, r.revokedAt);
      this.#bump();
    });
  }

  async findServiceToken(tokenHash: string): Promise<ServiceTokenRecord | null> {
    const row = this.#db.prepare('SELECT * FROM service_tokens WHERE token_hash = ?').get(tokenHash) as
      | ServiceTokenRow
      | undefined;
    return row ? serviceTokenOf(row) : null;
  }

  async listServiceTokens(): Promise<ServiceTokenRecord[]> {
    return (
      this.#db.prepare('SELECT * FROM service_tokens ORDER BY created_at').all() as ServiceTokenRow[]
    ).map(serviceTokenOf);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return writeTransaction(this.#db, () => {
      const service = this.#db
        .prepare('UPDATE service_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(at, id).changes;
      const issued = this.#db
        .prepare('INSERT OR IGNORE INTO revoked_tokens (id, revoked_at) VALUES (?, ?)')
        .run(id, at).changes;
      this.#bump();
      return service > 0 || issued > 0;
    });
  }

  async revokedTokenIds(): Promise<Set<string>> {
    const rows = this.#db.prepare('SELECT id FROM revoked_tokens').all() as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  async disableIdentity(subject: string, at: string, reason: string): Promise<void> {
    writeTransaction(this.#db, () => {
      this.#db
        .prepare('INSERT OR REPLACE INTO disabled_identities (subject, disabled_at, reason) VALUES (?, ?, ?)')
        .run(subject, at, reason);
      this.#bump();
    });
  }

  async enableIdentity(subject: string): Promise<boolean> {
    return writeTransaction(this.#db, () => {
      const changes = this.#db
        .prepare('DELETE FROM disabled_identities WHERE subject = ?')
        .run(subject).changes;
      this.#bump();
      return changes > 0;
    });
  }

  async disabledIdentities(): Promise<DisabledIdentity[]> {
    const rows = this.#db.prepare('SELECT * FROM disabled_identities ORDER BY disabled_at').all() as {
      subject: string;
      disabled_at: string;
      reason: string;
    }[];
    return rows.map((r) => ({ subject: r.subject, disabledAt: r.disabled_at, reason: r.reason }));
  }

  async rememberAssertion(key: string, until: string, now: string): Promise<boolean> {
    return writeTransaction(this.#db, () => {
      this.#db.prepare('DELETE FROM used_assertions WHERE until <= ?').run(now);
      return (
        this.#db.prepare('INSERT OR IGNORE INTO used_assertions (key, until) VALUES (?, ?)').run(key, until)
          .changes === 1
      );
    });
  }

  async assertionUsed(key: string, now: string): Promise<boolean> {
    return (
      this.#db.prepare('SELECT 1 FROM used_assertions WHERE key = ? AND until > ?').get(key, now) !==
      undefined
    );
  }

  async createScimToken(record: ScimTokenRecord): Promise<void> {
    this.#scim.createToken(record);
  }

  async findScimToken(tokenHash: string): Promise<ScimTokenRecord | null> {
    return this.#scim.findToken(tokenHash);
  }

  async listScimTokens(): Promise<ScimTokenRecord[]> {
    return this.#scim.listTokens();
  }

  async revokeScimToken(id: string, at: string): Promise<ScimTokenRevocation> {
    return this.#scim.revokeToken(id, at);
  }

  async putScimUser(record: ScimUserRecord): Promise<void> {
    this.#scim.putUser(record);
  }

  async deleteScimUser(id: string): Promise<boolean> {
    return this.#scim.deleteUser(id);
  }

  async listScimUsers(): Promise<ScimUserRecord[]> {
    return this.#scim.listUsers();
  }

  async putScimGroup(record: ScimGroupRecord): Promise<void> {
    this.#scim.putGroup(record);
  }

  async deleteScimGroup(id: string): Promise<boolean> {
    return this.#scim.deleteGroup(id);
  }

  async listScimGroups(): Promise<ScimGroupRecord[]> {
    return this.#scim.listGroups();
  }
}
