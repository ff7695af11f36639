// SCIM provisioning state on PostgreSQL: the provider's tokens (hashed, with their expiry and
// revocation), users, groups and memberships. Each write raises the access version in its own
// transaction. A name taken by another resource is refused (scim_conflict) both by a check and, when
// two writers race past the check, by the unique index on the lower-cased name.

import type pg from 'pg';
import { VigilError } from '../../core/errors.js';
import { type JsonObject, subjectKey } from '../../core/events.js';
import type {
  ScimGroupRecord,
  ScimTokenRecord,
  ScimTokenRevocation,
  ScimUserRecord,
} from '../../core/ports.js';
import { type ScimTokenRow, scimTokenOf } from '../access-rows.js';
import { bumpAccessVersion } from './access-version.js';
import { safeInteger } from './pg-integers.js';
import { inTransaction, sqlState } from './pg-pool.js';

interface UserRow {
  id: string;
  user_name: string;
  external_id: string | null;
  active: boolean;
  attributes: string;
  tokens_revoked_at: string | null;
  created_at: string;
  updated_at: string;
  version: string;
}

interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  version: string;
}

const UNIQUE_VIOLATION = '23505';

/** Turns a race on a unique name into the conflict the check would have reported. */
async function conflictOnDuplicate(message: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (sqlState(err) === UNIQUE_VIOLATION) throw new VigilError('scim_conflict', message, { cause: err });
    throw err;
  }
}

export class PostgresScimTables {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async createToken(r: ScimTokenRecord): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO scim_tokens (id, name, token_hash, created_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [r.id, r.name, r.tokenHash, r.createdAt, r.expiresAt, r.revokedAt],
      );
      await bumpAccessVersion(client);
    });
  }

  async findToken(tokenHash: string): Promise<ScimTokenRecord | null> {
    const { rows } = await this.#pool.query('SELECT * FROM scim_tokens WHERE token_hash = $1', [tokenHash]);
    const row = rows[0] as ScimTokenRow | undefined;
    return row ? scimTokenOf(row) : null;
  }

  async listTokens(): Promise<ScimTokenRecord[]> {
    const { rows } = await this.#pool.query('SELECT * FROM scim_tokens ORDER BY created_at, id');
    return (rows as ScimTokenRow[]).map(scimTokenOf);
  }

  async revokeToken(id: string, at: string): Promise<ScimTokenRevocation> {
    return inTransaction(this.#pool, async (client) => {
      const updated = await client.query(
        'UPDATE scim_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
        [at, id],
      );
      if ((updated.rowCount ?? 0) > 0) {
        await bumpAccessVersion(client);
        return 'revoked';
      }
      const found = await client.query('SELECT 1 FROM scim_tokens WHERE id = $1', [id]);
      return (found.rowCount ?? 0) > 0 ? 'already_revoked' : 'unknown';
    });
  }

  putUser(r: ScimUserRecord): Promise<void> {
    const message = 'another user has this userName';
    return conflictOnDuplicate(message, () =>
      inTransaction(this.#pool, async (client) => {
        // Folded as subjects are (core/events.ts, subjectKey): ASCII case only.
        const key = subjectKey(r.userName);
        const clash = await client.query('SELECT id FROM scim_users WHERE user_name_key = $1 AND id <> $2', [
          key,
          r.id,
        ]);
        if ((clash.rowCount ?? 0) > 0) throw new VigilError('scim_conflict', message);
        await client.query(
          `INSERT INTO scim_users (id, user_name, user_name_key, external_id, active, attributes, tokens_revoked_at,
             created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (id) DO UPDATE SET user_name = EXCLUDED.user_name, user_name_key = EXCLUDED.user_name_key,
             external_id = EXCLUDED.external_id, active = EXCLUDED.active, attributes = EXCLUDED.attributes,
             tokens_revoked_at = EXCLUDED.tokens_revoked_at, created_at = EXCLUDED.created_at,
             updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
          [
            r.id,
            r.userName,
            key,
            r.externalId,
            r.active,
            JSON.stringify(r.attributes),
            r.tokensRevokedAt,
            r.createdAt,
            r.updatedAt,
            r.version,
          ],
        );
        await bumpAccessVersion(client);
      }),
    );
  }

  async deleteUser(id: string): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM scim_members WHERE user_id = $1', [id]);
      const deleted = await client.query('DELETE FROM scim_users WHERE id = $1', [id]);
      await bumpAccessVersion(client);
      return (deleted.rowCount ?? 0) > 0;
    });
  }

  async listUsers(): Promise<ScimUserRecord[]> {
    const { rows } = await this.#pool.query('SELECT * FROM scim_users ORDER BY created_at, id');
    return (rows as UserRow[]).map((row) => ({
      id: row.id,
      userName: row.user_name,
      externalId: row.external_id,
      active: row.active,
      attributes: JSON.parse(row.attributes) as JsonObject,
      tokensRevokedAt: row.tokens_revoked_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: safeInteger(row.version, 'scim_users.version'),
    }));
  }

  putGroup(r: ScimGroupRecord): Promise<void> {
    const message = 'another group has this displayName';
    return conflictOnDuplicate(message, () =>
      inTransaction(this.#pool, async (client) => {
        const key = subjectKey(r.displayName);
        const clash = await client.query('SELECT id FROM scim_groups WHERE name_key = $1 AND id <> $2', [
          key,
          r.id,
        ]);
        if ((clash.rowCount ?? 0) > 0) throw new VigilError('scim_conflict', message);
        await client.query(
          `INSERT INTO scim_groups (id, display_name, name_key, external_id, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, name_key = EXCLUDED.name_key,
             external_id = EXCLUDED.external_id, created_at = EXCLUDED.created_at,
             updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
          [r.id, r.displayName, key, r.externalId, r.createdAt, r.updatedAt, r.version],
        );
        await client.query('DELETE FROM scim_members WHERE group_id = $1', [r.id]);
        // In the order given (ord is a sequence); a member listed twice is kept once.
        await client.query(
          `INSERT INTO scim_members (group_id, user_id)
           SELECT $1, m.user_id FROM unnest($2::text[]) WITH ORDINALITY AS m(user_id, n) ORDER BY m.n
           ON CONFLICT DO NOTHING`,
          [r.id, [...r.members]],
        );
        await bumpAccessVersion(client);
      }),
    );
  }

  async deleteGroup(id: string): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM scim_members WHERE group_id = $1', [id]);
      const deleted = await client.query('DELETE FROM scim_groups WHERE id = $1', [id]);
      await bumpAccessVersion(client);
      return (deleted.rowCount ?? 0) > 0;
    });
  }

  async listGroups(): Promise<ScimGroupRecord[]> {
    // One snapshot for the groups and their members.
    return inTransaction(
      this.#pool,
      async (client) => {
        const groups = (await client.query('SELECT * FROM scim_groups ORDER BY created_at, id'))
          .rows as GroupRow[];
        const links = (await client.query('SELECT group_id, user_id FROM scim_members ORDER BY ord'))
          .rows as {
          group_id: string;
          user_id: string;
        }[];
        const members = new Map<string, string[]>();
        for (const m of links) {
          const list = members.get(m.group_id) ?? [];
          list.push(m.user_id);
          members.set(m.group_id, list);
        }
        return groups.map((row) => ({
          id: row.id,
          displayName: row.display_name,
          externalId: row.external_id,
          members: members.get(row.id) ?? [],
          createdAt: row.created_at,
          updatedAt: row.updated_at,
          version: safeInteger(row.version, 'scim_groups.version'),
        }));
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }
}
