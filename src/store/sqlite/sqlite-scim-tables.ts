// SCIM provisioning state in the embedded SQLite database: the provider's tokens (hashed, with their
// expiry and revocation), users, groups and memberships. SqliteAccessStore delegates here; `bump`
// raises the access version in the same transaction, so a gateway polling the version sees a
// membership or `active` change at once.

import type Database from 'better-sqlite3';
import { VigilError } from '../../core/errors.js';
import { type JsonObject, subjectKey } from '../../core/events.js';
import type {
  ScimGroupRecord,
  ScimTokenRecord,
  ScimTokenRevocation,
  ScimUserRecord,
} from '../../core/ports.js';
import { type ScimTokenRow, scimTokenOf } from '../access-rows.js';
import { writeTransaction } from './busy-retry.js';

interface UserRow {
  id: string;
  user_name: string;
  external_id: string | null;
  active: number;
  attributes: string;
  tokens_revoked_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export class SqliteScimTables {
  readonly #db: Database.Database;
  readonly #bump: () => void;

  constructor(db: Database.Database, bump: () => void) {
    this.#db = db;
    this.#bump = bump;
  }

  createToken(r: ScimTokenRecord): void {
    writeTransaction(this.#db, () => {
      this.#db
        .prepare(
          'INSERT INTO scim_tokens (id, name, token_hash, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(r.id, r.name, r.tokenHash, r.createdAt, r.expiresAt, r.revokedAt);
      this.#bump();
    });
  }

  findToken(tokenHash: string): ScimTokenRecord | null {
    const row = this.#db.prepare('SELECT * FROM scim_tokens WHERE token_hash = ?').get(tokenHash) as
      | ScimTokenRow
      | undefined;
    return row ? scimTokenOf(row) : null;
  }

  listTokens(): ScimTokenRecord[] {
    return (
      this.#db.prepare('SELECT * FROM scim_tokens ORDER BY created_at, id').all() as ScimTokenRow[]
    ).map(scimTokenOf);
  }

  revokeToken(id: string, at: string): ScimTokenRevocation {
    return writeTransaction(this.#db, () => {
      const changed = this.#db
        .prepare('UPDATE scim_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(at, id).changes;
      if (changed > 0) {
        this.#bump();
        return 'revoked';
      }
      return this.#db.prepare('SELECT 1 FROM scim_tokens WHERE id = ?').get(id)
        ? 'already_revoked'
        : 'unknown';
    });
  }

  putUser(r: ScimUserRecord): void {
    writeTransaction(this.#db, () => {
      // Folded as subjects are (core/events.ts, subjectKey): ASCII case only.
      const key = subjectKey(r.userName);
      const clash = this.#db
        .prepare('SELECT id FROM scim_users WHERE user_name_key = ? AND id != ?')
        .get(key, r.id);
      if (clash) throw new VigilError('scim_conflict', 'another user has this userName');
      this.#db
        .prepare(
          `INSERT OR REPLACE INTO scim_users (id, user_name, user_name_key, external_id, active, attributes,
             tokens_revoked_at, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.id,
          r.userName,
          key,
          r.externalId,
          r.active ? 1 : 0,
          JSON.stringify(r.attributes),
          r.tokensRevokedAt,
          r.createdAt,
          r.updatedAt,
          r.version,
        );
      this.#bump();
    });
  }

  deleteUser(id: string): boolean {
    return writeTransaction(this.#db, () => {
      this.#db.prepare('DELETE FROM scim_members WHERE user_id = ?').run(id);
      const changes = this.#db.prepare('DELETE FROM scim_users WHERE id = ?').run(id).changes;
      this.#bump();
      return changes > 0;
    });
  }

  listUsers(): ScimUserRecord[] {
    const rows = this.#db.prepare('SELECT * FROM scim_users ORDER BY created_at, id').all() as UserRow[];
    return rows.map((row) => ({
      id: row.id,
      userName: row.user_name,
      externalId: row.external_id,
      active: row.active === 1,
      attributes: JSON.parse(row.attributes) as JsonObject,
      tokensRevokedAt: row.tokens_revoked_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    }));
  }

  putGroup(r: ScimGroupRecord): void {
    writeTransaction(this.#db, () => {
      const key = subjectKey(r.displayName);
      const clash = this.#db
        .prepare('SELECT id FROM scim_groups WHERE name_key = ? AND id != ?')
        .get(key, r.id);
      if (clash) throw new VigilError('scim_conflict', 'another group has this displayName');
      this.#db
        .prepare(
          `INSERT OR REPLACE INTO scim_groups (id, display_name, name_key, external_id, created_at, updated_at, version)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(r.id, r.displayName, key, r.externalId, r.createdAt, r.updatedAt, r.version);
      this.#db.prepare('DELETE FROM scim_members WHERE group_id = ?').run(r.id);
      const insert = this.#db.prepare('INSERT OR IGNORE INTO scim_members (group_id, user_id) VALUES (?, ?)');
      for (const member of r.members) insert.run(r.id, member);
      this.#bump();
    });
  }

  deleteGroup(id: string): boolean {
    return writeTransaction(this.#db, () => {
      this.#db.prepare('DELETE FROM scim_members WHERE group_id = ?').run(id);
      const changes = this.#db.prepare('DELETE FROM scim_groups WHERE id = ?').run(id).changes;
      this.#bump();
      return changes > 0;
    });
  }

  listGroups(): ScimGroupRecord[] {
    const rows = this.#db.prepare('SELECT * FROM scim_groups ORDER BY created_at, id').all() as GroupRow[];
    const members = new Map<string, string[]>();
    for (const m of this.#db.prepare('SELECT group_id, user_id FROM scim_members ORDER BY rowid').all() as {
      group_id: string;
      user_id: string;
    }[]) {
      const list = members.get(m.group_id) ?? [];
      list.push(m.user_id);
      members.set(m.group_id, list);
    }
    return rows.map((row) => ({
      id: row.id,
      displayName: row.display_name,
      externalId: row.external_id,
      members: members.get(row.id) ?? [],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    }));
  }
}
